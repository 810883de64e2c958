"""The procedure kernel: matters, steps, approvals, requests, attachments, numbering, timeline.

It knows no procedure: domain apps (complaints, filings, …) declare theirs as data and register it.
"""
