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
