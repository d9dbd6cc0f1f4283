"""Synthetic FHIR R4 hospital network of Baden-Württemberg for the dashboard's demo and tests.

``generate`` builds the network in memory, ``bundles.write_network`` writes it as transaction
bundles with manifest and ground truth, ``loader.load`` sends it to a FHIR server.
"""

from demo_data.generator import KINDS, PRESETS, SHAPES, Network, generate, resolve_kinds

__all__ = ["KINDS", "PRESETS", "SHAPES", "Network", "generate", "resolve_kinds"]
