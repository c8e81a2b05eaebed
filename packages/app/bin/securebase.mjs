#!/usr/bin/env node
// The `securebase` command. Plain JavaScript on purpose: it must run on any Node to say clearly
// which Node SecureBase needs (the sources are TypeScript, which Node runs natively from 22.18;
// Effect's Node platform needs 22.19).
const [major, minor] = process.versions.node.split(".").map(Number)
if (major < 22 || (major === 22 && minor < 19)) {
  process.stderr.write(
    `securebase: Node.js ${process.versions.node} is too old; SecureBase needs Node.js 22.19 or newer ` +
      "(on Linux x64, `npm install` brings Node 24 for npm scripts and npx).\n"
  )
  process.exit(3)
}
const { runMain } = await import("../src/cli/Main.ts")
runMain(process.argv.slice(2))
