import { useHotkeys } from "@mantine/hooks";
import { useEffect } from "react";

import { navigate } from "./router";
import { screens } from "./screens";

/** How long after `g` the second key of a `g <key>` shortcut is accepted. */
export const CHORD_MS = 1500;

function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return (
    target.isContentEditable ||
    target.tagName === "INPUT" ||
    target.tagName === "TEXTAREA" ||
    target.tagName === "SELECT"
  );
}

/** Alt+1…n and `g` then a screen's key (`g o`, `g f`, `g p`, …; see screens.tsx) switch screens. */
export function useScreenHotkeys() {
  useHotkeys(screens.map((screen, i) => [`alt+${i + 1}`, () => navigate(screen.id)]));

  useEffect(() => {
    let armedAt = 0;
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.ctrlKey || event.metaKey || event.altKey || isTyping(event.target)) return;
      const key = event.key.toLowerCase();
      if (armedAt && Date.now() - armedAt <= CHORD_MS) {
        armedAt = 0;
        const screen = screens.find((s) => s.key === key);
        if (screen) {
          event.preventDefault();
          navigate(screen.id);
        }
        return;
      }
      armedAt = key === "g" ? Date.now() : 0;
    };
    window.addEventListener("keydown", onKeyDown);
    return () => window.removeEventListener("keydown", onKeyDown);
  }, []);
}
