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
    modulePreload: { polyfill: false },
    // Two files: the libraries (React, uPlot, effect's Schema and HTTP client), which change only
    // with a dependency, and the app; both are preloaded by index.html, so it is still one round
    // of requests. Their total (gzip) is reported by `npm run build:portal` and in the README.
    rolldownOptions: {
      output: {
        codeSplitting: {
          groups: [{ name: "vendor", test: /node_modules/ }]
        }
      }
    }
  }
})
