"""German person names, streets and the KVNR (statutory health insurance number).

Names are common German names, deliberately including umlauts and ß so that every layer of the
dashboard has to handle them.
"""

from __future__ import annotations

import random
import string


def _words(text: str) -> tuple[str, ...]:
    """Entries of a block separated by blanks, or by semicolons when it has any."""
    sep = ";" if ";" in text else None
    return tuple(part.strip() for part in text.split(sep) if part.strip())


MALE_GIVEN = _words(
    """
Jürgen Günter Jörg Björn Thomas Michael Andreas Stefan Klaus Wolfgang Peter Hans Uwe
Frank Matthias Markus Tobias Lukas Jonas Felix Maximilian Paul Leon Noah Elias Ben Finn
Karl-Heinz Hans-Jürgen Dieter Horst Manfred Rüdiger Sören Jan Florian Benedikt Johannes
Simon Moritz Niklas Emil Anton Mustafa Ahmet Luca Marco Dragan Piotr Alexander
Christian Daniel Sebastian Gerhard Erwin Bernd
"""
)
FEMALE_GIVEN = _words(
    """
Käthe Jutta Bärbel Dörte Gisela Ursula Renate Monika Sabine Petra Andrea Claudia
Susanne Julia Katharina Laura Lena Anna Marie Sophie Emilia Hannah Mia Lea Charlotte
Johanna Ingrid Hildegard Elfriede Gertrud Rosemarie Anneliese Margarete Jülide Zoë
Chloé Ayşe Elif Fatma Agnieszka Nicole Stefanie Christiane Martina Birgit Heike Anja
Franziska Theresa Magdalena Ronja Helene
"""
)
FAMILY = _words(
    """
Müller Schmidt Schneider Fischer Weber Meyer Wagner Becker Schulz Hoffmann Schäfer Koch
Bauer Richter Klein Wolf Schröder Neumann Schwarz Zimmermann Braun Krüger Hofmann
Hartmann Lange Schmitt Werner Schmitz Krause Meier Lehmann Schmid Schulze Maier Köhler
Herrmann König Walter Mayer Huber Kaiser Fuchs Peters Lang Scholz Möller Weiß Jung Hahn
Schubert Vogel Friedrich Keller Günther Frank Berger Winkler Roth Beck Lorenz Baumann
Franke Albrecht Schuster Simon Ludwig Böhm Winter Kraus Martin Schumacher Krämer Vogt
Stein Jäger Otto Sommer Groß Seidel Heinrich Brandt Haas Schreiber Graf Schulte
Dietrich Ziegler Kuhn Kühn Pohl Engel Horn Busch Bergmann Thomas Voigt Sauer Arnold
Wolff Pfeiffer Größ Nüßlein Bäuerle Häberle Schäuble Kächele Mößner Öztürk Yılmaz
Kowalski Nowak Popović Rößler Würth Däubler Fürst Hölderlin Ströbele
"""
)
STREETS = _words(
    """
Hauptstraße; Schulstraße; Gartenstraße; Bahnhofstraße; Kirchstraße; Lindenstraße;
Mühlweg; Schillerstraße; Goethestraße; Königstraße; Jägerstraße; Römerstraße;
Brühlstraße; Am Kälberbühl; Weinsteige; Uhlandstraße; Mörikeweg; Talstraße; Höhenweg;
Rosenstraße; Am Mühlbach; Schloßstraße; Bühlstraße; Friedhofstraße
"""
)


def pick_given(rng: random.Random, gender: str) -> str:
    """A given name matching the administrative gender."""
    return rng.choice(MALE_GIVEN if gender == "male" else FEMALE_GIVEN)


def pick_family(rng: random.Random) -> str:
    """A family name."""
    return rng.choice(FAMILY)


def pick_street(rng: random.Random) -> str:
    """A street address line with house number."""
    return f"{rng.choice(STREETS)} {rng.randint(1, 140)}"


def kvnr_check_digit(letter: str, digits8: str) -> int:
    """Check digit of the KVNR: the letter as 01..26, weights 1,2,1,2,..., digit sums, mod 10."""
    payload = f"{ord(letter) - ord('A') + 1:02d}{digits8}"
    total = 0
    for index, char in enumerate(payload):
        product = int(char) * (1 if index % 2 == 0 else 2)
        total += product // 10 + product % 10
    return total % 10


def make_kvnr(rng: random.Random) -> str:
    """A KVNR: one capital letter, eight digits and the check digit (ten characters)."""
    letter = rng.choice(string.ascii_uppercase)
    digits8 = f"{rng.randrange(10**8):08d}"
    return f"{letter}{digits8}{kvnr_check_digit(letter, digits8)}"


def kvnr_is_valid(kvnr: str) -> bool:
    """Whether ``kvnr`` has the KVNR format and a correct check digit."""
    if len(kvnr) != 10 or not kvnr[0].isupper() or not kvnr[0].isascii() or not kvnr[1:].isdigit():
        return False
    return kvnr_check_digit(kvnr[0], kvnr[1:9]) == int(kvnr[9])
