// The API key lives in sessionStorage: it survives a reload but not the tab, and is never written to disk
// by the app.
const KEY = "mimir.apiKey";

export function storedKey(): string | null {
  return sessionStorage.getItem(KEY);
}

export function storeKey(key: string): void {
  sessionStorage.setItem(KEY, key);
}

export function clearStoredKey(): void {
  sessionStorage.removeItem(KEY);
}
