/**
 * The Markdown chatgate writes for what ChatGPT shows besides text. It follows chat2api, whose
 * users know it: code as a fence named after its language, what running it printed as a fence
 * named `Output`, browsing steps as quotes, citations and generated files as links, images as
 * Markdown images.
 */

export const codeFenceOpen = (language: string) => `\`\`\`${language}\n`;
export const outputFenceOpen = () => '```Output\n';
export const FENCE_CLOSE = '```';

/** Every line quoted, so a note or quote spanning lines stays one quote block. */
export function quoteLines(text: string): string {
  return text
    .split('\n')
    .map((line) => (line.length > 0 ? `> ${line}` : '>'))
    .join('\n');
}

export const browsingNote = (note: string) => quoteLines(note.trim());

/** A quoted page: its title as a link, then the quoted text. */
export function pageQuote(title: string, url: string, text: string): string {
  const head = `> ${link(title, url)}`;
  const body = text.trim();
  return body.length > 0 ? `${head}\n${quoteLines(body)}` : head;
}

export function link(title: string, url: string): string {
  return `[${escapeLinkText(title)}](${escapeUrl(url)})`;
}

export const image = (url: string) => `![image](${escapeUrl(url)})`;

/** What stands in for a link that cannot be made (temporary chat, no public URL, ...). */
export const unlinkedNote = (what: 'image' | 'file', why: string) => `_(The generated ${what} is not linked: ${why}.)_`;

function escapeLinkText(text: string): string {
  return text.replace(/\s+/g, ' ').replace(/([\\[\]])/g, '\\$1').trim() || 'source';
}

/** Spaces and parentheses would end a Markdown link destination early. */
function escapeUrl(url: string): string {
  return url.replace(/ /g, '%20').replace(/\(/g, '%28').replace(/\)/g, '%29');
}
