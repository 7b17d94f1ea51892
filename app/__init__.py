"""Harbour: a moderated peer-support forum for people living with long-term health conditions."""
