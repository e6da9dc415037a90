"""GIAS import at national scale: build a ~51,000-row extract and import it three times.

The file has the real May 2024 GIAS column layout (140 columns, Windows-1252, DD-MM-YYYY) and
is built from DfE's school information file for 2023/24 (bench/data/): every school in England
once as it is, once more as a closed predecessor under another URN, and a few hundred Welsh and
overseas rows. It is imported into an empty database, again unchanged, and then as a newer
release in which every name and a tenth of statuses have changed. Finally the real GIAS links
extract of April 2025 (33,800 links) is imported against those providers.
"""

from __future__ import annotations

import csv
import random
from pathlib import Path

from bench.runner import Context

DATA = Path(__file__).resolve().parent / "data"
SCHOOLS = DATA / "england_school_information_2024.csv"
HEADER = DATA / "gias_header_2024.csv"
LINKS = DATA / "links_2025.csv"
TARGET_SECONDS = 60
TARGET_RSS_MB = 500

PHASES = {
    (True, False): "Primary",
    (False, True): "Secondary",
    (True, True): "All-through",
    (False, False): "16 plus",
}
SEN_TYPES = [
    "ASD - Autistic Spectrum Disorder",
    "SEMH - Social, Emotional and Mental Health",
    "SLCN - Speech, language and Communication",
    "MLD - Moderate Learning Difficulty",
    "SLD - Severe Learning Difficulty",
    "PMLD - Profound and Multiple Learning Difficulty",
    "HI - Hearing Impairment",
]


def _filler(column: str) -> str:
    if column.endswith("(code)"):
        return "0"
    if column.endswith("(name)"):
        return "Not applicable"
    return ""


def build_file(path: Path, *, renamed: bool = False) -> int:
    """Write the national-size extract; returns the number of data rows."""
    with open(HEADER, encoding="cp1252", newline="") as handle:
        header = next(csv.reader(handle))
    index = {name: i for i, name in enumerate(header)}
    blank = [_filler(column) for column in header]
    rng = random.Random(2024)
    rows = 0
    with (
        open(SCHOOLS, encoding="utf-8-sig", newline="") as source,
        open(path, "w", encoding="cp1252", errors="replace", newline="") as out,
    ):
        writer = csv.writer(out, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
        writer.writerow(header)
        for n, school in enumerate(csv.DictReader(source)):
            for predecessor in (False, True):
                record = list(blank)

                def put(column: str, value: str, record: list[str] = record) -> None:
                    record[index[column]] = value

                urn = int(school["URN"]) + (1_000_000 if predecessor else 0)
                name = school["SCHNAME"] + (" (former)" if predecessor else "")
                if renamed:
                    name += " Academy"
                status = "Closed" if predecessor else school["SCHSTATUS"]
                if renamed and not predecessor and n % 10 == 0 and status == "Open":
                    status = "Open, but proposed to close"
                school_type = school["SCHOOLTYPE"]
                if predecessor and school["MINORGROUP"] == "Academy":
                    school_type = "Community school"
                put("URN", str(urn))
                put("LA (code)", school["LA"])
                put("LA (name)", school["LANAME"])
                put("EstablishmentNumber", school["ESTAB"])
                put("EstablishmentName", name)
                put("TypeOfEstablishment (name)", school_type)
                put("EstablishmentStatus (name)", status)
                put("OpenDate", "" if predecessor else school["OPENDATE"])
                put("CloseDate", "31-08-2012" if predecessor else school["CLOSEDATE"])
                primary, secondary = school["ISPRIMARY"] == "1", school["ISSECONDARY"] == "1"
                put("PhaseOfEducation (name)", PHASES[(primary, secondary)])
                put("StatutoryLowAge", school["AGELOW"])
                put("StatutoryHighAge", school["AGEHIGH"])
                put("Gender (name)", school["GENDER"] or "Mixed")
                put("ReligiousCharacter (name)", school["RELCHAR"] or "Does not apply")
                put("AdmissionsPolicy (name)", school["ADMPOL"] or "Not applicable")
                put("Street", school["STREET"])
                put("Locality", school["LOCALITY"])
                put("Address3", school["ADDRESS3"])
                put("Town", school["TOWN"])
                put("Postcode", school["POSTCODE"])
                put("SchoolWebsite", f"https://www.school{urn}.example.org")
                put("TelephoneNum", f"020{urn:08d}")
                put("OfstedRating (name)", school["OFSTEDRATING"])
                put("OfstedLastInsp", school["OFSTEDLASTINSP"])
                put("SchoolCapacity", str(rng.randrange(100, 1500)))
                put("NumberOfPupils", str(rng.randrange(50, 1400)))
                put("Country (name)", "United Kingdom")
                if not predecessor:
                    put("UKPRN", f"{10_000_000 + n:08d}")
                    if school["MINORGROUP"] == "Academy":
                        trust = 1000 + n % 2400
                        put("Trusts (code)", str(trust))
                        put("Trusts (name)", f"Bench Learning Trust {trust}")
                    if school["MINORGROUP"] == "Special school":
                        for k, need in enumerate(rng.sample(SEN_TYPES, 3), start=1):
                            put(f"SEN{k} (name)", need)
                    elif rng.random() < 0.05:
                        put("TypeOfResourcedProvision (name)", "Resourced provision")
                        put("ResourcedProvisionCapacity", str(rng.randrange(6, 30)))
                        put("ResourcedProvisionOnRoll", str(rng.randrange(0, 30)))
                writer.writerow(record)
                rows += 1
        for k in range(400):  # Welsh and overseas establishments, which are skipped
            record = list(blank)
            welsh = k % 2 == 0
            record[index["URN"]] = str(400_000 + k)
            record[index["LA (code)"]] = "660" if welsh else "0"
            record[index["EstablishmentName"]] = f"Ysgol Bench {k}" if welsh else f"Overseas {k}"
            record[index["TypeOfEstablishment (name)"]] = (
                "Welsh establishment" if welsh else "British schools overseas"
            )
            record[index["EstablishmentStatus (name)"]] = "Open"
            writer.writerow(record)
            rows += 1
    return rows


def _import(context: Context, label: str, path: Path, command: str = "import_gias") -> None:
    measured = context.measure(command, str(path))
    if measured.returncode != 0:
        print(measured.stderr[-3000:])
        context.target(label, False, f"import_gias exited {measured.returncode}")
        return
    print(f"{label}_s: {measured.seconds:.2f}")
    print(f"{label}_peak_rss_mb: {measured.peak_rss_mb}")
    print(f"{label}_summary: {measured.stdout.splitlines()[0]}", flush=True)
    context.target(
        f"{label}_s", measured.seconds < TARGET_SECONDS, f"{measured.seconds:.1f} s ≥ 60 s"
    )
    context.target(
        f"{label}_peak_rss_mb",
        measured.peak_rss_mb < TARGET_RSS_MB,
        f"{measured.peak_rss_mb} MB ≥ 500 MB",
    )


def run(context: Context) -> None:
    areas = context.manage("import_areas")
    if areas.returncode != 0:
        context.target("import_areas", False, areas.stderr[-2000:])
        return
    first = context.work / "gias_national.csv"
    newer = context.work / "gias_national_newer.csv"
    rows = build_file(first)
    build_file(newer, renamed=True)
    print(f"gias_file_rows: {rows}")
    print(f"gias_file_mb: {first.stat().st_size / 1e6:.1f}", flush=True)
    _import(context, "gias_import", first)
    _import(context, "gias_reimport_unchanged", first)
    _import(context, "gias_import_newer", newer)
    _import(context, "gias_links_import", LINKS, "import_gias_links")
