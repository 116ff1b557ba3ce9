/** A generated file's link, or why there is none (shown to the client instead). */
export type LinkResult = { url: string } | { unavailable: string };

/** Turns the upstream's file references into links the client can open without upstream credentials. */
export interface FileLinks {
  /** `file-service://<id>` or `sediment://<id>` of a generated image. */
  image(pointer: string, messageId: string): LinkResult;
  /** A code-interpreter file, `/mnt/data/...`, named in message `messageId`. */
  sandbox(path: string, messageId: string): LinkResult;
}

/** Why a temporary chat's generated files have no link (the renderer and the links say it alike). */
export const HISTORY_OFF_REASON = 'ChatGPT keeps generated files only with chat history on, and this is a temporary chat';
