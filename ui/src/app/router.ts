import { useMemo, useSyncExternalStore } from "react";

/** The screen and its parameters, read from the URL hash: `#/audit?seq=42`. */
export interface Route {
  path: string;
  params: URLSearchParams;
}

export function parseHash(hash: string): Route {
  const text = hash.replace(/^#\/?/, "");
  const [path = "", query = ""] = text.split("?", 2);
  return { path: decodeURIComponent(path), params: new URLSearchParams(query) };
}

export function hrefFor(path: string, params?: Record<string, string>): string {
  const query = params ? new URLSearchParams(params).toString() : "";
  return `#/${encodeURIComponent(path)}${query ? `?${query}` : ""}`;
}

export function navigate(path: string, params?: Record<string, string>) {
  window.location.hash = hrefFor(path, params);
}

/** Rewrites the current entry without adding to history, e.g. once a one-shot parameter is used. */
export function replaceRoute(path: string, params?: Record<string, string>) {
  window.history.replaceState(window.history.state, "", hrefFor(path, params));
  // replaceState fires no event; subscribers must still see the new hash.
  window.dispatchEvent(new HashChangeEvent("hashchange"));
}

function subscribe(onChange: () => void): () => void {
  window.addEventListener("hashchange", onChange);
  return () => window.removeEventListener("hashchange", onChange);
}

/** The current route; re-renders on every hash change (links, back/forward, `navigate`). */
export function useRoute(): Route {
  const hash = useSyncExternalStore(subscribe, () => window.location.hash);
  return useMemo(() => parseHash(hash), [hash]);
}
