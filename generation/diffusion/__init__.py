"""Hallo-compatible diffusion animation (GPU option). Imports torch: keep it off the CPU path."""
