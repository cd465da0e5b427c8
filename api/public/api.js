// The API client of the page: same origin, bearer token from sessionStorage, and the
// API's JSON errors turned into Error objects with `code` and `status`.
const KEY = 'statementflow.token';

export const auth = {
  get token() {
    return sessionStorage.getItem(KEY);
  },
  set token(value) {
    if (value) sessionStorage.setItem(KEY, value);
    else sessionStorage.removeItem(KEY);
  },
  /** The `sub` of the token, for display only (the server verifies it). */
  get user() {
    try {
      const payload = JSON.parse(atob(this.token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/')));
      return String(payload.sub ?? '');
    } catch {
      return '';
    }
  },
};

export class ApiError extends Error {
  constructor(status, code, message, details) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

/** fetch with the token; resolves to the parsed JSON (or the Response when `raw`). */
export async function api(path, { method = 'GET', body, headers = {}, raw = false, signal } = {}) {
  const h = new Headers(headers);
  if (auth.token) h.set('Authorization', `Bearer ${auth.token}`);
  let payload = body;
  if (body !== undefined && !(body instanceof FormData)) {
    h.set('Content-Type', 'application/json');
    payload = JSON.stringify(body);
  }
  const res = await fetch(path, { method, headers: h, body: payload, signal });
  if (!res.ok) {
    let err = { code: `HTTP_${res.status}`, message: res.statusText || 'Request failed' };
    try {
      err = (await res.json()).error ?? err;
    } catch {
      // not JSON: keep the status line
    }
    throw new ApiError(res.status, err.code, err.message, err.details);
  }
  if (raw) return res;
  return res.status === 204 ? null : res.json();
}

/** Downloads with the Authorization header (a plain link cannot send it): blob → object URL → click. */
export async function download(path) {
  const res = await api(path, { raw: true });
  const disposition = res.headers.get('Content-Disposition') ?? '';
  const name = /filename="?([^";]+)"?/.exec(disposition)?.[1] ?? 'download';
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
  return name;
}
