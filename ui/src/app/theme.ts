import { createTheme, type CSSVariablesResolver } from "@mantine/core";

/** System fonts only: the app's CSP allows no remote fonts, and a desktop tool should look native. */
const SYSTEM_SANS =
  'system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Liberation Sans", "Helvetica Neue", Arial, sans-serif';
const SYSTEM_MONO =
  'ui-monospace, "SF Mono", "Cascadia Mono", "DejaVu Sans Mono", "Liberation Mono", Menlo, Consolas, monospace';

export const theme = createTheme({
  primaryColor: "indigo",
  fontFamily: SYSTEM_SANS,
  fontFamilyMonospace: SYSTEM_MONO,
  headings: { fontFamily: SYSTEM_SANS },
  defaultRadius: "md",
  focusRing: "auto",
  cursorType: "pointer",
  components: {
    Tooltip: { defaultProps: { openDelay: 300, withArrow: true, multiline: true, maw: 320 } },
    Card: { defaultProps: { withBorder: true, padding: "lg", radius: "md" } },
  },
});

/**
 * Mantine's light-variant text (shade 6 on a pale tint) is too faint to read in a status badge on
 * a light background; use the dark shades so every status word passes contrast.
 */
export const cssVariablesResolver: CSSVariablesResolver = () => ({
  variables: {},
  light: {
    "--mantine-color-green-light-color": "var(--mantine-color-green-9)",
    "--mantine-color-yellow-light-color": "#7a4f00",
    "--mantine-color-red-light-color": "var(--mantine-color-red-9)",
    "--mantine-color-blue-light-color": "var(--mantine-color-blue-9)",
    "--mantine-color-gray-light-color": "var(--mantine-color-gray-8)",
    "--mantine-color-orange-light-color": "var(--mantine-color-orange-9)",
  },
  dark: {},
});
