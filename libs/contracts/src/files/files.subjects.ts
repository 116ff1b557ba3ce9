/**
 * A generated file's bytes, as a job (raw NATS, queue group `conversation`): the gateway hands the
 * link's token to one worker, which opens it, asks the upstream for the download URL as the account
 * that made the file, fetches the file through that account's outbound proxy (size-capped) and
 * streams it back as FileFrames: `head`, `data`…, then one `end` or `error`.
 */
export const FILE_DOWNLOAD_JOB = 'chatgate.conversation.file.download.v1' as const;
/** `<prefix>.<requestId>`: the client went away; the worker stops the download. */
export const FILE_DOWNLOAD_CANCEL_PREFIX = 'chatgate.conversation.file.download.cancel.v1' as const;
