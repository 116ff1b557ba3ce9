import { describe, expect, it } from '@jest/globals';
import { dispositionOf } from './content-disposition.js';

describe('dispositionOf', () => {
  it('shows raster images inline and downloads everything else, SVG and HTML included', () => {
    expect(dispositionOf('image/png', 'a.png')).toBe("inline; filename*=UTF-8''a.png");
    expect(dispositionOf('image/svg+xml', 'a.svg')).toBe("attachment; filename*=UTF-8''a.svg");
    expect(dispositionOf('text/html; charset=utf-8', 'x y.html')).toBe("attachment; filename*=UTF-8''x%20y.html");
    expect(dispositionOf('application/octet-stream', null)).toBe('attachment');
  });
});
