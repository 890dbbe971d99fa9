import react from "@vitejs/plugin-react";
import { defineConfig } from "vitest/config";

// Tauri serves the built files from its own protocol and the dev server on a fixed port that
// tauri.conf.json's devUrl points at, so the port must never silently move.
export default defineConfig({
  plugins: [react()],
  clearScreen: false,
  envPrefix: ["VITE_", "TAURI_"],
  server: {
    port: 5173,
    strictPort: true,
  },
  build: {
    outDir: "dist",
    // WebKitGTK 2.50 (Linux) and WKWebView (macOS) both run modern Safari-level JavaScript.
    target: ["es2022", "safari16"],
    chunkSizeWarningLimit: 1500,
  },
  test: {
    environment: "happy-dom",
    setupFiles: ["./src/test/setup.ts"],
    include: ["src/**/*.test.{ts,tsx}"],
    css: false,
    testTimeout: 15000,
  },
});
