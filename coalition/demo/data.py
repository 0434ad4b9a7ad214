"""Facts for the demo coalition: the Freedom Online Coalition's members (country and join year where a public
source states it) and bodies; chair terms named in the Program of Action 2023. People are fictitious."""

from __future__ import annotations

# (ISO 3166-1 alpha-2, join year or None, note). Founders joined at The Hague, 8–9 December 2011.
FOC_MEMBERS: list[tuple[str, int | None, str]] = [
    *[
        (code, 2011, "founding member (The Hague, December 2011)")
        for code in ["AT", "CA", "CZ", "EE", "FR", "GH", "IE", "KE", "MV", "MX", "MN", "NL", "SE", "GB", "US"]
    ],
    ("CR", 2012, ""),
    ("FI", 2012, ""),
    ("LV", 2012, "joined 7 December 2012"),
    ("TN", 2012, ""),
    ("GE", 2013, ""),
    ("DE", 2013, ""),
    ("JP", 2014, ""),
    ("LT", 2014, ""),
    ("MD", 2014, ""),
    ("AU", 2015, ""),
    ("NZ", 2015, ""),
    ("NO", 2015, ""),
    ("PL", 2015, ""),
    ("ES", 2015, ""),
    ("AR", 2016, ""),
    ("DK", 2020, "31st member"),
    ("SK", 2023, "36th member"),
    ("SI", 2024, "40th member"),
    *[(code, None, "member by 2024; join date not recorded") for code in ["CV", "CL", "IS", "IT", "LU", "KR", "CH"]],
]

FOUNDED_ON = (2011, 12, 9)
LATVIA_JOINED_ON = (2012, 12, 7)

# Chair terms stated in the Program of Action 2023.
CHAIR_TERMS = [("CA", 2022), ("US", 2023)]

NETWORKS = [
    ("new-york", "New York network", "New York", "America/New_York", "US"),
    ("geneva", "Geneva network", "Geneva", "Europe/Zurich", "CH"),
    ("paris", "Paris network", "Paris", "Europe/Paris", "FR"),
    ("vienna", "Vienna network", "Vienna", "Europe/Vienna", "AT"),
]

BODIES = [
    ("chair", "Chair", "chair", ""),
    ("troika", "Troika", "troika", "Past, current and next chairs (PoA 3A.2)."),
    ("support-unit", "Support Unit", "support_unit", "The coalition's secretariat."),
    (
        "advisory-network",
        "Advisory Network",
        "advisory_network",
        "Civil society, academia and the private sector advising the coalition.",
    ),
    ("strategy-coordination", "Strategy and Coordination group", "strategy", ""),
    (
        "tf-digital-equality",
        "Task Force on Digital Equality",
        "task_force",
        "Digital inclusion and safe online spaces for marginalised groups (PoA policy topic 4).",
    ),
    (
        "tf-ai-human-rights",
        "Task Force on AI and Human Rights",
        "task_force",
        "Norms, principles and safeguards for AI based on human rights (PoA policy topic 3).",
    ),
    (
        "tf-internet-shutdowns",
        "Task Force on Internet Shutdowns",
        "task_force",
        "Countering network disruptions (PoA policy topic 1).",
    ),
    ("wg-toolkit", "Working Group on the Diplomatic Toolkit", "working_group", "PoA 1B.1."),
]

OTHER_ORGANISATIONS = [
    ("European Union", "EU", "regional"),
    ("African Union", "AU", "regional"),
    ("Economic Community of West African States", "ECOWAS", "regional"),
    ("Association of Southeast Asian Nations", "ASEAN", "regional"),
    ("Organization of American States", "OAS", "regional"),
    ("Office of the UN High Commissioner for Human Rights", "OHCHR", "un_body"),
    ("UNESCO", "UNESCO", "un_body"),
    ("Global Partnership on Artificial Intelligence", "GPAI", "partner_initiative"),
    ("Media Freedom Coalition", "MFC", "partner_initiative"),
    ("Christchurch Call", "Christchurch Call", "partner_initiative"),
]


# Donor coordination (fictitious funding, "(demo)" in every title): (donor, identifier, title, description,
# recipient country, DAC sector, implementer, start, end, currency, amount, sharing tier).
DEMO_FUNDING: list[tuple[str, str, str, str, str, str, str, str, str, str, str, str]] = [
    (
        "NL",
        "XM-DEMO-NL-1",
        "Keeping Ethiopia connected during shutdowns (demo)",
        "Circumvention tools, digital security training and documentation of network shutdowns with local partners.",
        "ET",
        "15160",
        "Demo Digital Rights Network",
        "2025-01-01",
        "2027-06-30",
        "EUR",
        "1200000",
        "mechanism",
    ),
    (
        "DE",
        "XM-DEMO-DE-1",
        "Documenting internet shutdowns in Ethiopia (demo)",
        "Documentation of network shutdowns, circumvention tools and digital security training for journalists.",
        "ET",
        "15153",
        "Demo Digital Rights Network",
        "2025-06-01",
        "2027-12-31",
        "EUR",
        "900000",
        "mechanism",
    ),
    (
        "SE",
        "XM-DEMO-SE-1",
        "Women online in Kenya (demo)",
        "Digital literacy and protection from online gender-based violence for women's rights organisations.",
        "KE",
        "15180",
        "Demo Women Online Trust",
        "2024-03-01",
        "2026-02-28",
        "SEK",
        "8000000",
        "group",
    ),
    (
        "EE",
        "XM-DEMO-EE-1",
        "E-governance and privacy safeguards in Kenya (demo)",
        "Data protection oversight and safeguards against unlawful surveillance in public digital services.",
        "KE",
        "15130",
        "Demo Privacy Institute",
        "2025-01-01",
        "2026-12-31",
        "EUR",
        "400000",
        "mechanism",
    ),
    (
        "GB",
        "XM-DEMO-GB-1",
        "Rights-respecting AI procurement in Ghana (demo)",
        "Human rights impact assessment of AI systems bought by public bodies, with civil-society scrutiny.",
        "GH",
        "43082",
        "Demo AI Accountability Lab",
        "2026-01-01",
        "2027-12-31",
        "GBP",
        "650000",
        "public",
    ),
    (
        "NL",
        "XM-DEMO-NL-2",
        "Media freedom in Myanmar's exile press (demo)",
        "Core support to independent media working from exile, with secure hosting and legal aid.",
        "MM",
        "15153",
        "Demo Free Press Fund",
        "2024-01-01",
        "2026-12-31",
        "EUR",
        "750000",
        "bilateral",
    ),
    (
        "CA",
        "XM-DEMO-CA-1",
        "Affordable connectivity for rural Colombia (demo)",
        "Community networks and digital skills in rural municipalities (pipeline: not yet approved).",
        "CO",
        "22040",
        "Demo Community Networks",
        "2027-01-01",
        "2028-12-31",
        "CAD",
        "1500000",
        "mechanism",
    ),
]

# Fictitious rates for the demo only: replace with a named published source (ECB, OECD) in a real deployment.
DEMO_RATES: list[tuple[str, str, str]] = [
    ("EUR", "2024-01-01", "1.09"),
    ("EUR", "2025-01-01", "1.04"),
    ("EUR", "2026-01-01", "1.12"),
    ("SEK", "2024-01-01", "0.096"),
    ("GBP", "2026-01-01", "1.27"),
    ("CAD", "2026-01-01", "0.73"),
]

DONOR_PRINCIPLES = """# Donor principles for human rights online (demo)

Do no harm: assess the risks our funding creates for the people and organisations we support, and protect their data.

Share plans early: tell the other participants what we intend to fund, including pipeline funding, before we commit.

Fund flexibly in crises: allow partners to redirect funds quickly when a shutdown or crackdown begins.

Listen to those affected: involve local civil society in deciding what is funded in their country.

Avoid duplication: check the mechanism for overlapping funding and coordinate before committing."""
