#!/usr/bin/env node
// The `codika` command as npm links it. A committed file, so the link's target exists when
// `npm ci` links the workspace's bins (before the build makes dist/): `npx codika` from the
// repository's root runs this build, not the public CLI from the registry. It loads the
// shipped bundle (scripts/bundle.mjs).
import '../dist/codika.mjs';
