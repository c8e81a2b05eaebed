/** A PDF's text as a person opening it would read it (pdfjs-dist), every page, whitespace folded. */
import { dirname } from "node:path"
import { fileURLToPath } from "node:url"
import { Effect } from "effect"

/** The text of every page of `bytes`, joined by spaces. */
export const pdfText = (bytes: Uint8Array): Effect.Effect<string> =>
  Effect.promise(async () => {
    const pdfjs = await import("pdfjs-dist/legacy/build/pdf.mjs")
    const standardFontDataUrl = `${dirname(fileURLToPath(import.meta.resolve("pdfjs-dist/package.json")))}/standard_fonts/`
    const doc = await pdfjs.getDocument({
      data: new Uint8Array(bytes),
      useSystemFonts: false,
      standardFontDataUrl
    }).promise
    const pages: Array<string> = []
    for (let i = 1; i <= doc.numPages; i++) {
      const content = await (await doc.getPage(i)).getTextContent()
      pages.push(content.items.map((item) => ("str" in item ? item.str : "")).join(" "))
    }
    return pages.join(" ").replace(/\s+/g, " ")
  })
