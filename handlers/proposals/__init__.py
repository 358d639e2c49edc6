"""Proposals from idea to closing report: proposing, pledges, the GO rules, decisions, work underway, nudges."""
