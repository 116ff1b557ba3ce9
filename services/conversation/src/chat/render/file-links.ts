/** A generated file's link, or why there is none (shown to the client instead). */
export type LinkResult = { url: string } | { unavailable: string };

/** Turns the upstream's file references into links the client can open without upstream credentials. */
export interface FileLinks {
  /** `file-service://<id>` or `sediment://<id>` of a generated image. */
  image(pointer: string, messageId: string): LinkResult;
  /** A code-interpreter file, `/mnt/data/...`, named in message `messageId`. */
  sandbox(path: string, messageId: string): LinkResult;
}
