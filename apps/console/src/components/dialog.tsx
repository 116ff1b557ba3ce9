import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';

/**
 * A modal on the native `<dialog>`: the browser traps focus inside, Escape closes it, and focus
 * returns to what opened it.
 */
export function Modal({ title, onClose, children, wide }: { title: string; onClose: () => void; children: ComponentChildren; wide?: boolean }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    // Removing an open dialog takes it out of the top layer; no close() (and no close event) is needed.
    if (dialog && !dialog.open) dialog.showModal();
  }, []);
  return (
    <dialog ref={ref} class={wide ? 'modal modal-wide' : 'modal'} aria-labelledby="modal-title" onClose={onClose} onCancel={onClose}>
      <div class="modal-head">
        <h2 id="modal-title">{title}</h2>
        <button type="button" class="button button-quiet" aria-label="Close this dialog" onClick={onClose}>
          ×
        </button>
      </div>
      {children}
    </dialog>
  );
}

interface ConfirmRequest {
  title: string;
  message: ComponentChildren;
  confirm: string;
  danger?: boolean;
  resolve: (ok: boolean) => void;
}

/** `const [dialog, confirm] = useConfirm()`: render `dialog`, and `await confirm({...})` before anything destructive. */
export function useConfirm(): [ComponentChildren, (ask: Omit<ConfirmRequest, 'resolve'>) => Promise<boolean>] {
  const [request, setRequest] = useState<ConfirmRequest | null>(null);
  const ask = useCallback((options: Omit<ConfirmRequest, 'resolve'>) => new Promise<boolean>((resolve) => setRequest({ ...options, resolve })), []);
  const answer = (ok: boolean) => {
    request?.resolve(ok);
    setRequest(null);
  };
  const dialog = request ? (
    <Modal title={request.title} onClose={() => answer(false)}>
      <div class="modal-body">{request.message}</div>
      <div class="modal-actions">
        <button type="button" class="button" onClick={() => answer(false)}>
          Cancel
        </button>
        <button type="button" class={request.danger ? 'button button-danger' : 'button button-primary'} onClick={() => answer(true)}>
          {request.confirm}
        </button>
      </div>
    </Modal>
  ) : null;
  return [dialog, ask];
}
