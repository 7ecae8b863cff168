"""Journeys through the Dutch pages in Debian's Chromium, driven by Playwright."""
