/** Raster images show inline (a Markdown image needs that); anything else downloads. */
export function dispositionOf(contentType: string, fileName: string | null): string {
  const type = contentType.split(';')[0].trim().toLowerCase();
  const inline = type.startsWith('image/') && type !== 'image/svg+xml';
  const name = fileName ? `; filename*=UTF-8''${encodeURIComponent(fileName)}` : '';
  return `${inline ? 'inline' : 'attachment'}${name}`;
}
