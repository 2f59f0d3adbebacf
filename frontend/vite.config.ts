/// <reference types="vitest" />
import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

// `npm run dev` proxies the API of a local `mimir up` (or MIMIR_API_URL), so the app and API share an origin
// just as when the API serves the built app.
const api = process.env.MIMIR_API_URL ?? "http://127.0.0.1:8080";

export default defineConfig({
  plugins: [react()],
  server: {
    proxy: Object.fromEntries(["/api", "/health", "/metrics"].map((p) => [p, { target: api, changeOrigin: true }])),
  },
  build: { outDir: "dist", sourcemap: false, chunkSizeWarningLimit: 1500 },
  test: {
    environment: "jsdom",
    globals: true,
    setupFiles: ["src/test/setup.ts"],
    css: false,
  },
});
