"""The one plotly configuration of every chart: toolbar, PNG file name, and the session's locale.

Streamlit's plotly bundle registers English only; a chart in German gets plotly's German locale
through its own config (``locales``), so axes show German month and day names and a decimal
comma, and the toolbar's tooltips are German.
"""

from __future__ import annotations

from components.session import language

__all__ = ["GERMAN", "chart_config", "plotly_config"]

# plotly.js's German locale (lib/locales/de.js): the toolbar texts these charts can show and the
# date and number format.
GERMAN = {
    "dictionary": {
        "Autoscale": "Automatische Skalierung",
        "Box Select": "Rechteckauswahl",
        "Compare data on hover": "Über die Daten fahren, um sie zu vergleichen",
        "Double-click on legend to isolate one trace": "Doppelklick in der Legende isoliert",
        "Double-click to zoom back out": "Herauszoomen durch Doppelklick",
        "Download plot as a png": "Als PNG herunterladen",
        "Download plot as a PNG": "Als PNG herunterladen",
        "Fullscreen": "Vollbild",
        "Download plot": "Herunterladen",
        "Lasso Select": "Lassoauswahl",
        "Pan": "Verschieben",
        "Produced with Plotly": "Erstellt mit Plotly",
        "Reset": "Zurücksetzen",
        "Reset axes": "Achsen zurücksetzen",
        "Reset view": "Ansicht zurücksetzen",
        "Reset views": "Ansichten zurücksetzen",
        "Show closest data on hover": "Nächste Daten beim Überfahren zeigen",
        "Snapshot succeeded": "Bild erstellt",
        "Sorry, there was a problem downloading your snapshot!": (
            "Das Bild konnte nicht heruntergeladen werden."
        ),
        "Taking snapshot - this may take a few seconds": "Bild wird erstellt …",
        "Toggle Spike Lines": "Hilfslinien ein/aus",
        "Toggle show closest data on hover": "Nächste Daten beim Überfahren ein/aus",
        "Zoom": "Zoom",
        "Zoom in": "Hineinzoomen",
        "Zoom out": "Herauszoomen",
        "trace": "Reihe",
    },
    "format": {
        "days": ["Sonntag", "Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag"],
        "shortDays": ["So", "Mo", "Di", "Mi", "Do", "Fr", "Sa"],
        "months": [
            "Januar",
            "Februar",
            "März",
            "April",
            "Mai",
            "Juni",
            "Juli",
            "August",
            "September",
            "Oktober",
            "November",
            "Dezember",
        ],
        "shortMonths": [
            "Jan",
            "Feb",
            "Mär",
            "Apr",
            "Mai",
            "Jun",
            "Jul",
            "Aug",
            "Sep",
            "Okt",
            "Nov",
            "Dez",
        ],
        "date": "%d.%m.%Y",
        "decimal": ",",
        "thousands": ".",
    },
}


def plotly_config(filename: str | None, lang: str) -> dict:
    """``st.plotly_chart`` config in ``lang``; with a ``filename`` the toolbar's camera saves
    the figure as a PNG of that name."""
    config: dict = {"displaylogo": False, "locale": lang}
    if lang == "de":
        config["locales"] = {"de": GERMAN}
    if filename:
        config["toImageButtonOptions"] = {"format": "png", "filename": filename, "scale": 2}
    return config


def chart_config(filename: str | None = None) -> dict:
    """``plotly_config`` in the session's language."""
    return plotly_config(filename, language())
