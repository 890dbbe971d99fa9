import { notifications } from "@mantine/notifications";
import { clearMocks } from "@tauri-apps/api/mocks";
import { cleanup, configure } from "@testing-library/react";
import { afterEach } from "vitest";

// Build-tool tests run in plain Node; everything below is for the DOM tests.
if (typeof window !== "undefined") {
  // happy-dom lays nothing out, so every element measures 0×0 and recharts' ResponsiveContainer
  // would never draw. Give chart containers a size; everything else measures as before.
  const measure = Element.prototype.getBoundingClientRect;
  Element.prototype.getBoundingClientRect = function (this: Element) {
    if (this.classList.contains("recharts-responsive-container")) {
      return DOMRect.fromRect({ x: 0, y: 0, width: 800, height: 260 });
    }
    return measure.call(this);
  };

  // CI machines are small and often busy; a second is too tight for a debounced request to land.
  configure({ asyncUtilTimeout: 5000 });

  afterEach(() => {
    cleanup();
    clearMocks();
    // Toasts live in a module-level store: one test's must not satisfy the next test's queries.
    notifications.clean();
    window.location.hash = "";
    window.localStorage.clear();
    document.documentElement.removeAttribute("data-mantine-color-scheme");
  });
}
