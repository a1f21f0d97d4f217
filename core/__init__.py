"""Keel's shared kernel, the lowest floor: the clock, the error type, REST plumbing, the
scoping primitives, number formatting and charts. It imports no Keel app; every app may
import it (docs/ARCHITECTURE.md)."""
