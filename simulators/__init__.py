"""One simulator per payment provider: the provider's state and its wire JSON in plain
Python (no Django, no HTTP server), so that every stand-in for the provider — the test
fakes (behind `responses`), the benchmark's emulator (behind http.server) and the local
sandbox (behind Django views, its state in the database) — answers with the same code and
cannot drift from the others. Each keeps its state in a Store: memory for the fakes and the
emulator, rows for the sandbox."""
