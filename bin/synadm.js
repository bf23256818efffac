#!/usr/bin/env node
// Thin shim: the whole CLI is one bundled module, so start-up reads few files.
import '../dist/synadm.js'
