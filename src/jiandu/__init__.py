"""Jiandu (监督): administrative law-enforcement supervision platform."""
