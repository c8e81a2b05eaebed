/**
 * The portal's build: a React single-page app served by the API at `/portal` (hence `base`), its
 * hashed files in `dist/assets`. Everything is bundled: no CDN, no web fonts, nothing fetched from
 * elsewhere at run time.
 */
import react from "@vitejs/plugin-react"
import { defineConfig } from "vite"

export default defineConfig({
  root: import.meta.dirname,
  base: "/portal/",
  plugins: [react()],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    sourcemap: false,
    reportCompressedSize: false,
    // One request for the app: it is small enough not to split.
    modulePreload: { polyfill: false },
    // The whole app is one file; its size (gzip) is reported by `npm run build:portal` and in the README.
    chunkSizeWarningLimit: 700
  }
})
