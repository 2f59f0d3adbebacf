// The one API client: typed by the OpenAPI document (schema.d.ts is generated, never edited), sends the
// signed-in key, turns error bodies into ApiError, and sends the user back to sign-in on any 401.
import createClient, { type Middleware } from "openapi-fetch";
import type { components, paths } from "./schema";
import { clearStoredKey, storedKey } from "./session";

export type Schemas = components["schemas"];

/** The API's error body: `{code, status, message, errors}`; `errors` locates bad fields. */
export class ApiError extends Error {
  readonly status: number;
  readonly fieldErrors: FieldError[];

  constructor(status: number, message: string, fieldErrors: FieldError[] = []) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.fieldErrors = fieldErrors;
  }
}

export interface FieldError {
  location: string;
  message: string;
}

type Listener = () => void;
const unauthorisedListeners = new Set<Listener>();

/** Called whenever the API answers 401: the key is gone or revoked. */
export function onUnauthorised(listener: Listener): () => void {
  unauthorisedListeners.add(listener);
  return () => unauthorisedListeners.delete(listener);
}

export function authHeaders(key: string | null = storedKey()): Record<string, string> {
  return key ? { Authorization: `Bearer ${key}` } : {};
}

const auth: Middleware = {
  onRequest({ request }) {
    const key = storedKey();
    if (key && !request.headers.has("Authorization")) request.headers.set("Authorization", `Bearer ${key}`);
    return request;
  },
  onResponse({ response }) {
    if (response.status === 401) {
      clearStoredKey();
      unauthorisedListeners.forEach((listener) => listener());
    }
    return response;
  },
};

// Same origin as the page (the API serves the app, or the dev server proxies the API).
// fetch is looked up per call, not captured once, so tests (and polyfills) can replace it.
export const api = createClient<paths>({
  baseUrl: globalThis.location?.origin ?? "",
  fetch: (request: Request) => globalThis.fetch(request),
});
api.use(auth);

/** ApiError from an error body of any shape (the house shape, marshmallow's, or none). */
export function toApiError(status: number, body: unknown): ApiError {
  const record = (body ?? {}) as { message?: unknown; errors?: unknown };
  const message =
    typeof record.message === "string" && record.message ? record.message : `The server answered ${status}.`;
  return new ApiError(status, message, fieldErrorsOf(record.errors));
}

export function fieldErrorsOf(errors: unknown, prefix = ""): FieldError[] {
  if (Array.isArray(errors)) {
    if (errors.every((e) => typeof e === "string")) return [{ location: prefix, message: errors.join(" ") }];
    return errors.flatMap((e) =>
      e && typeof e === "object" && "message" in e
        ? [{ location: String((e as FieldError).location ?? prefix), message: String((e as FieldError).message) }]
        : fieldErrorsOf(e, prefix),
    );
  }
  if (errors && typeof errors === "object") {
    return Object.entries(errors).flatMap(([key, value]) => fieldErrorsOf(value, prefix ? `${prefix}.${key}` : key));
  }
  return typeof errors === "string" ? [{ location: prefix, message: errors }] : [];
}

/** The data of an openapi-fetch result, or the ApiError it carried. */
export function unwrap<T>(result: { data?: T; error?: unknown; response: Response }): T {
  if (result.error !== undefined || !result.response.ok) throw toApiError(result.response.status, result.error);
  return result.data as T;
}
