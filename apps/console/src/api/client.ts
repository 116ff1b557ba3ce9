/**
 * The one way the console talks to chatgate: `/admin/v1` on the gateway that served the page, with
 * the admin credential as the Bearer and, for the operator, the chosen tenant's slug in
 * `X-Chatgate-Tenant`. The credential lives only in this object (memory): never in the URL, never in
 * storage. Errors arrive in OpenAI's envelope and become an ApiError with its message and code.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code: string | null = null,
    readonly param: string | null = null,
  ) {
    super(message);
  }
}

export type Query = Record<string, string | number | boolean | null | undefined>;

/** Where the API is, from where the console is: `/<prefix>/console/…` → `/<prefix>/`. */
export function apiBaseOf(pathname: string): string {
  const at = pathname.lastIndexOf('/console');
  return at >= 0 ? pathname.slice(0, at + 1) : '/';
}

export function withQuery(path: string, query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) if (value !== undefined && value !== null && value !== '') params.set(name, String(value));
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

async function errorOf(res: Response): Promise<ApiError> {
  let body: unknown;
  try {
    body = await res.json();
  } catch {
    body = undefined;
  }
  const error = (body as { error?: { message?: unknown; code?: unknown; param?: unknown } } | undefined)?.error;
  const message = typeof error?.message === 'string' ? error.message : `The gateway answered ${res.status} ${res.statusText}.`;
  return new ApiError(res.status, message, typeof error?.code === 'string' ? error.code : null, typeof error?.param === 'string' ? error.param : null);
}

export interface AdminApiOptions {
  base: string;
  credential: string;
  /** The operator's chosen tenant (slug); a tenant admin key always acts on its own tenant. */
  tenant?: string | null;
  /** Told about every 401, so the console can sign out (the key was revoked, the password changed). */
  onUnauthorized?: (error: ApiError) => void;
}

export class AdminApi {
  constructor(private readonly options: AdminApiOptions) {}

  /** The same credential acting on another tenant (operator only). */
  forTenant(tenant: string | null): AdminApi {
    return new AdminApi({ ...this.options, tenant });
  }

  get tenant(): string | null {
    return this.options.tenant ?? null;
  }

  async request<T>(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', path: string, init: { query?: Query; body?: unknown; signal?: AbortSignal } = {}): Promise<T> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.options.credential}`, accept: 'application/json' };
    if (this.options.tenant) headers['x-chatgate-tenant'] = this.options.tenant;
    if (init.body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await fetch(`${this.options.base}${withQuery(path.replace(/^\//, ''), init.query)}`, {
        method,
        headers,
        body: init.body === undefined ? undefined : JSON.stringify(init.body),
        signal: init.signal,
        cache: 'no-store',
        credentials: 'omit',
      });
    } catch (err) {
      if (err instanceof DOMException && err.name === 'AbortError') throw err;
      throw new ApiError(0, 'The gateway cannot be reached. Check the connection and try again.');
    }
    if (!res.ok) {
      const error = await errorOf(res);
      if (res.status === 401) this.options.onUnauthorized?.(error);
      throw error;
    }
    const text = await res.text();
    return (text ? JSON.parse(text) : undefined) as T;
  }

  get<T>(path: string, query?: Query, signal?: AbortSignal): Promise<T> {
    return this.request<T>('GET', path, { query, signal });
  }

  post<T>(path: string, body: unknown = {}, query?: Query): Promise<T> {
    return this.request<T>('POST', path, { body, query });
  }

  patch<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>('PATCH', path, { body });
  }

  delete<T>(path: string, query?: Query): Promise<T> {
    return this.request<T>('DELETE', path, { query });
  }
}
