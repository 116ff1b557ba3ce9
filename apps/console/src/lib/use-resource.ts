import { useCallback, useEffect, useRef, useState } from 'preact/hooks';

export interface Resource<T> {
  data: T | undefined;
  error: Error | undefined;
  /** True until the first answer (or failure); later reloads keep showing the last data. */
  loading: boolean;
  reload: () => Promise<void>;
}

export interface ResourceOptions<T> {
  /** Poll every so many ms (given the last data; null: do not poll now). Polling pauses while the tab is hidden. */
  pollMs?: number | ((data: T | undefined) => number | null);
}

/**
 * Loads once per change of `deps`, then polls if asked: the "live" part of the console. A reload
 * never overlaps the one in flight; a page that goes away aborts its request.
 */
export function useResource<T>(load: (signal: AbortSignal) => Promise<T>, deps: readonly unknown[], options: ResourceOptions<T> = {}): Resource<T> {
  const [state, setState] = useState<{ data?: T; error?: Error; loading: boolean }>({ loading: true });
  const loadRef = useRef(load);
  loadRef.current = load;
  const optionsRef = useRef(options);
  optionsRef.current = options;
  const run = useRef<(fresh: boolean) => Promise<void>>(async () => undefined);

  useEffect(() => {
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    let inFlight: Promise<void> | null = null;
    let last: T | undefined;
    setState({ loading: true });

    const schedule = () => {
      clearTimeout(timer);
      const poll = optionsRef.current.pollMs;
      const ms = typeof poll === 'function' ? poll(last) : poll;
      if (ms && !controller.signal.aborted && !document.hidden) timer = setTimeout(() => void once(), ms);
    };
    /** `fresh`: the caller changed something, so a read already under way (begun before the change) does not do. */
    const once = (fresh = false): Promise<void> => {
      if (inFlight) return fresh ? inFlight.then(() => once()) : inFlight;
      inFlight = (async () => {
        try {
          const data = await loadRef.current(controller.signal);
          if (controller.signal.aborted) return;
          last = data;
          setState({ data, loading: false });
        } catch (err) {
          if (controller.signal.aborted) return;
          setState((s) => ({ data: s.data, error: err instanceof Error ? err : new Error(String(err)), loading: false }));
        } finally {
          inFlight = null;
          schedule();
        }
      })();
      return inFlight;
    };
    const onVisibility = () => {
      if (!document.hidden) void once();
      else clearTimeout(timer);
    };
    run.current = once;
    document.addEventListener('visibilitychange', onVisibility);
    void once();
    return () => {
      controller.abort();
      clearTimeout(timer);
      document.removeEventListener('visibilitychange', onVisibility);
    };
  }, deps);

  const reload = useCallback(() => run.current(true), []);
  return { data: state.data, error: state.error, loading: state.loading, reload };
}
