#!/usr/bin/env node
// The `codika-server` command as npm links it. A committed file, so the link's target exists
// when `npm ci` links the workspace's bins (before the build makes dist/): `npx codika-server`
// from the repository's root runs this build. It loads the shipped bundle (scripts/bundle.mjs).
import '../dist/codika-server.mjs';
