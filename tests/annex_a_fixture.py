"""A small, synthetic Annex A workbook in the real layout, worked out by hand (no real person's data).

Five children: C1, C2 and C3 appear first on List 1, C4 on List 2, C5 only on List 8. The workbook has a
cover sheet, a guidance sheet, a title row above List 1's header, lettered and plain answers, dates as
dd/mm/yyyy text and as real Excel dates, List 3 headings worded differently, and an extra column.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from openpyxl import Workbook

COMMON = ["Child Unique ID", "Gender", "Ethnicity", "Date of Birth", "Age of Child (Years)"]
C1 = ["C1", "a) Male", "a) WBRI", "17/03/2015", 9]
C2 = ["C2", "b) Female", "o) BAFR", dt.datetime(2012, 7, 1), 11]
C3 = ["C3", "Female", "WBRI", "02/11/2019", 4]
C4 = ["C4", "c) Not stated/recorded", "u) UNKNOWN", "14/06/2010", 13]
C5 = ["C5", "a) Male", "f) MWBC", "30/09/2008", 15]

LIST_1 = [
    [*COMMON, "Date of Contact", "Contact Source", "Notes"],
    [*C1, "05/01/2024", "q) 6: Police", "an extra column"],
    [*C2, dt.datetime(2024, 1, 9), "e) 2A: Schools", ""],
    [*C1, "05/01/2024", "1B", ""],  # the same child and day again: a second contact
    [*C3, "12/02/2024", "6: Police", ""],
]
LIST_2 = [
    [*COMMON, "Assessment start date", "Assessment completion date", "Organisation completing assessment"],
    [*C4, "01/12/2023", "15/01/2024", "Early Help Hub"],
    [*C2, "03/01/2024", "", "Local authority early help"],
]
# List 3 words two headings otherwise ("CHILD UNIQUE ID", "Referral Date"); C2's ethnicity differs from List 1
LIST_3 = [
    [
        "CHILD UNIQUE ID",
        *COMMON[1:],
        "Referral Date",
        "Referral Source",
        "Referral NFA?",
        "Number of Referrals in Last 12 Months",
        "Allocated Team",
        "Allocated Worker",
    ],
    [*C1, "06/01/2024", "q) 6: Police", "b) No", 0, "Front door", "Worker 1"],
    ["C2", "b) Female", "r) OOTH", "01/07/2012", 11, dt.datetime(2024, 1, 10), "e) 2A: Schools", "a) Yes", 1, "", ""],
    ["C3", "b) Female", "a) WBRI", "02/11/2019", 4, "13/02/2024", "1B", "No", 0, "", ""],
]
LIST_4 = [
    [
        *COMMON,
        "Does the Child have a Disability",
        "Continuous Assessment Start Date",
        "Child Seen During Continuous Assessment",
        "Continuous Assessment Date of Authorisation",
        "Was the child assessed as requiring LA children's social care support?",
        "Allocated Team",
        "Allocated Worker",
    ],
    [*C1, "a) Yes", "08/01/2024", "a) Yes", "20/02/2024", "a) Yes", "", ""],
    [*C3, "b) No", "14/02/2024", "a) Yes", "01/03/2024", "b) No", "", ""],
]
LIST_5 = [
    [
        *COMMON,
        "Does the Child have a Disability",
        "Strategy discussion initiating Section 47 Enquiry Start Date",
        "Was an Initial Child Protection Conference deemed unnecessary?",
        "Date of Initial Child Protection Conference",
        "Did the Initial Child Protection Conference Result in a Child Protection Plan",
        "Number of Section 47 Enquiries in the last 12 months",
        "Number of ICPCs in the last 12 months",
        "Allocated Team",
        "Allocated Worker",
    ],
    [*C1, "a) Yes", "10/01/2024", "b) No", "24/01/2024", "a) Yes", 0, 0, "", ""],
    [*C3, "b) No", "15/02/2024", "a) Yes", "", "", 0, 0, "", ""],
]
LIST_6 = [
    [
        *COMMON,
        "Does the Child have a Disability",
        "CIN Start Date",
        "Primary Need Code",
        "Date Child Was Last Seen",
        "CIN Closure Date",
        "Reason for Closure",
        "Case Status",
        "Allocated Team",
        "Allocated Worker",
    ],
    [*C1, "a) Yes", "06/01/2024", "N1 - Abuse or neglect", "01/03/2024", "", "", "b) Child Protection plan", "", ""],
    [
        *C3,
        "b) No",
        "13/02/2024",
        "N4 - Family in acute stress",
        "",
        "01/03/2024",
        "RC8 - Case closed after assessment, no further action",
        "e) Closed episode",
        "",
        "",
    ],
    [
        *C4,
        "b) No",
        "01/06/2023",
        "N5 - Family dysfunction",
        "",
        "30/11/2023",
        "RC7 - Services ceased for any other reason, including child no longer in need",
        "e) Closed episode",
        "",
        "",
    ],
]
LIST_7 = [
    [
        *COMMON,
        "Does the Child have a Disability",
        "Child Protection Plan Start Date",
        "Initial Category of Abuse",
        "Latest Category of Abuse",
        "Date of the Last Statutory Visit",
        "Was the Child Seen Alone?",
        "Date of latest review conference",
        "Child Protection Plan End Date",
        "Subject to Emergency Protection Order or Protected Under Police Powers in Last Six Months (Y/N)",
        "Number of Previous Child Protection Plans",
        "Allocated Team",
        "Allocated Worker",
    ],
    [
        *C1,
        "a) Yes",
        "24/01/2024",
        "a) Neglect",
        "d) Emotional abuse",
        "10/03/2024",
        "a) Yes",
        "20/04/2024",
        "",
        "b) No",
        1,
        "",
        "",
    ],
]
LIST_8 = [
    [
        *COMMON,
        "Does the Child have a Disability",
        "Date Started to be Looked After",
        "Child's Legal Status",
        "Placement postcode",
    ],
    [*C5, "b) No", "01/05/2023", "C2", "QQ1 1AA"],
]
SHEETS = {
    "List 1": LIST_1,
    "List 2": LIST_2,
    "List 3": LIST_3,
    "List 4": LIST_4,
    "List 5": LIST_5,
    "List 6": LIST_6,
    "List 7": LIST_7,
    "List 8": LIST_8,
}


FORMATTED_ROWS = 20  # templates are formatted well below their data: those rows are empty, not data


def write_annex_a(path: Path, sheets: dict[str, list[list]] | None = None, guidance: str = "") -> Path:
    """The workbook: a cover sheet, a guidance sheet, then the lists (List 1 under a title row), each
    formatted for date entry some way below its last row."""
    book = Workbook()
    cover = book.active
    cover.title = "Cover"
    cover.append(["Annex A: Testshire (synthetic)"])
    notes = book.create_sheet("Guidance")
    notes.append(["List", "What to include"])
    notes.append(["List 1", "All contacts in the six months before the inspection" + guidance])
    for name, rows in (SHEETS if sheets is None else sheets).items():
        sheet = book.create_sheet(name)
        if name == "List 1":
            sheet.append(["List 1: Contacts"])
        for row in rows:
            sheet.append(row)
        for number in range(sheet.max_row + 1, sheet.max_row + 1 + FORMATTED_ROWS):
            sheet.cell(row=number, column=4).number_format = "DD/MM/YYYY"
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path
