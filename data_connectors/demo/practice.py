"""Partnership practice records: audits and findings, actions, training and evaluations, escalations,
Section 11 returns, priorities, learning reviews and what children said.

Small volumes with realistic wording and no personal names. Some actions are overdue (open with a due
date in the past), some audits re-test earlier actions, and every reference points at a real row.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from data_connectors.demo.context import Partnership, blank_after, pick, yes_no

AUDIT_THEMES = {
    "Neglect": "Multi-agency audit: neglect and cumulative harm",
    "Exploitation": "Multi-agency audit: children at risk of exploitation",
    "Front door": "Front door audit: thresholds and decision making",
    "Domestic abuse": "Multi-agency audit: children living with domestic abuse",
    "Self-harm": "Multi-agency audit: adolescents who self-harm",
    "Child protection planning": "Audit of child protection plans and core groups",
    "Voice of the child": "Audit: how the child's voice shapes plans",
    "Disabled children": "Multi-agency audit: safeguarding disabled children",
    "Missing children": "Audit: return home conversations after missing episodes",
    "Parental mental health": "Multi-agency audit: parental mental health and think-family practice",
}
AGENCY_WORDS = {
    "LA_CSC": "children's social care",
    "LA_EARLY_HELP": "early help",
    "SCHOOLS": "schools",
    "POLICE": "police",
    "ICB": "the integrated care board",
    "HEALTH_PROVIDER": "health providers",
    "PRIMARY_CARE": "GP practices",
    "PROBATION": "probation",
    "YOUTH_JUSTICE": "the youth justice service",
    "HOUSING": "housing",
    "VOLUNTARY": "voluntary sector partners",
    "LA_EDUCATION": "education services",
    "PARTNERSHIP": "the partnership",
    "OTHER": "other partners",
}
FINDINGS = {
    "OUTSTANDING": [
        "Records by {a} show the child's daily life clearly and plans changed as the child's "
        "circumstances changed ({t})."
    ],
    "GOOD": [
        "Information was shared promptly by {a} and risks were understood ({t}).",
        "Practitioners in {a} knew the child well; the chronology was up to date ({t}).",
        "{A} contributed to strategy discussions and followed agreed actions ({t}).",
    ],
    "REQUIRES_IMPROVEMENT": [
        "{A} did not always consider cumulative harm; chronologies were incomplete ({t}).",
        "Referrals from {a} described concerns but not their impact on the child ({t}).",
        "Attendance of {a} at core groups was inconsistent ({t}).",
    ],
    "INADEQUATE": [
        "Escalation by {a} did not happen when the plan was not making a difference ({t}).",
        "Risks known to {a} were not shared with partners for several weeks ({t}).",
    ],
}
GRADES = {"OUTSTANDING": 5.0, "GOOD": 38.0, "REQUIRES_IMPROVEMENT": 40.0, "INADEQUATE": 17.0}
ACTION_TEXT = [
    "Refresh {t} guidance for {a} and brief all teams",
    "Add a {t} prompt to the {a} referral form and check use in three months",
    "Deliver a {t} practice workshop for {a} staff",
    "Set up a monthly {t} case review between {a} and children's social care",
    "Audit a sample of {a} records against the new {t} standard",
]
TRAINING_TOPICS = {
    "Neglect": "Neglect: recognising cumulative harm",
    "Exploitation": "Child exploitation and contextual safeguarding",
    "Thresholds": "Using the continuum of need",
    "Domestic abuse": "Domestic abuse: the child's experience",
    "Self-harm": "Responding to self-harm in young people",
    "Graded Care Profile 2": "Graded Care Profile 2 practitioner training",
    "Information sharing": "Information sharing to keep children safe",
    "Online safety": "Online harms and safeguarding",
    "Trauma-informed practice": "Trauma-informed practice for all partners",
    "Working Together": "Working Together: roles and responsibilities",
}
AGENCIES = {
    "LA_CSC": 22.0,
    "LA_EARLY_HELP": 10.0,
    "SCHOOLS": 24.0,
    "POLICE": 10.0,
    "HEALTH_PROVIDER": 12.0,
    "PRIMARY_CARE": 5.0,
    "ICB": 2.0,
    "PROBATION": 3.0,
    "YOUTH_JUSTICE": 3.0,
    "HOUSING": 3.0,
    "VOLUNTARY": 6.0,
}
ESCALATION_SUBJECTS = [
    "Threshold decision at the front door",
    "Decision to close after assessment",
    "Information sharing",
    "Strategy discussion not convened",
    "Step down to early help",
    "Attendance at core group",
    "Delay in health assessment",
]
ESCALATION_OUTCOMES = [
    "Decision upheld after discussion",
    "Decision changed: assessment started",
    "Strategy discussion held",
    "Joint visit agreed",
    "Reviewed by senior managers; case reopened",
]
S11_STANDARDS = [
    "Senior leadership and accountability for safeguarding",
    "Safeguarding policies and procedures",
    "Safe recruitment and managing allegations",
    "Safeguarding training and supervision",
    "Hearing the voice of the child",
    "Information sharing",
    "Multi-agency working and escalation",
    "Learning from reviews and audits",
]
S11_AGENCIES = [
    "LA_CSC",
    "POLICE",
    "ICB",
    "HEALTH_PROVIDER",
    "PRIMARY_CARE",
    "SCHOOLS",
    "PROBATION",
    "YOUTH_JUSTICE",
    "HOUSING",
    "VOLUNTARY",
]
PRIORITIES = [
    (
        "Tackling neglect",
        "Neglect is recognised early and families get help before harm becomes entrenched.",
        "LA_CSC",
    ),
    (
        "Exploitation and contextual safeguarding",
        "Places where children are at risk are known and made safer.",
        "POLICE",
    ),
    (
        "A front door that works for children",
        "Referrals are timely, well evidenced and thresholds are shared.",
        "LA_CSC",
    ),
    (
        "Children's emotional health and self-harm",
        "Young people who self-harm get help quickly from every agency.",
        "ICB",
    ),
    (
        "Hearing the voice of the child",
        "Children's views shape their plans and the partnership's priorities.",
        "PARTNERSHIP",
    ),
    (
        "Domestic abuse and the impact on children",
        "Children living with domestic abuse are seen and supported.",
        "POLICE",
    ),
]
REVIEW_THEMES = [
    "Neglect; parental substance misuse; information sharing",
    "Exploitation; missing episodes; transitions",
    "Non-accidental injury in infancy; safe sleep; fathers",
    "Adolescent self-harm; school attendance",
    "Domestic abuse; professional curiosity",
    "Disabled child; health appointments not attended",
]
VOICE_THEMES = {
    "Being listened to": 0.65,
    "Knowing my worker": 0.6,
    "Having a say in my plan": 0.5,
    "Feeling safe at home": 0.6,
    "Help came quickly enough": 0.45,
    "Changes of worker": 0.25,
    "Support at school": 0.55,
    "Understanding what happens next": 0.45,
}


def build_practice(p: Partnership) -> dict[str, pd.DataFrame]:
    """All the practice tables; actions are built last so they can point at the rows they came from."""
    rng = p.rng("practice")
    audits, findings = _audits(rng, p)
    training, evaluations = _training(rng, p)
    escalations = _escalations(rng, p)
    s11 = _section11(rng, p)
    priorities = _priorities(rng, p)
    reviews = _reviews(rng, p)
    actions = _actions(rng, p, audits, findings, reviews, s11, escalations, priorities)
    return {
        "audits": audits,
        "audit_findings": findings,
        "actions": actions,
        "training_events": training,
        "training_evaluations": evaluations,
        "escalations": escalations,
        "section11_returns": s11,
        "priorities": priorities,
        "learning_reviews": reviews,
        "voice_of_child": _voice(rng, p),
    }


def _days(rng: np.random.Generator, low: int, high: int, n: int) -> np.ndarray:
    return rng.integers(low, high + 1, n).astype("timedelta64[D]")


def _audits(rng: np.random.Generator, p: Partnership) -> tuple[pd.DataFrame, pd.DataFrame]:
    """About one audit a quarter, themes in turn, with graded findings for each agency involved."""
    quarters = int((p.end64 - p.start64).astype(int) // 91)
    start = p.start64 + np.arange(quarters) * 91 + _days(rng, 0, 30, quarters)
    themes = list(AUDIT_THEMES)
    theme = np.array([themes[i % len(themes)] for i in rng.permutation(quarters)], dtype=object)
    completed = blank_after(start + _days(rng, 40, 100, quarters), p.end64)
    audit_id = np.array([f"{p.prefix}AUD-{k + 1:03d}" for k in range(quarters)], dtype=object)
    audits = pd.DataFrame(
        {
            "audit_id": audit_id,
            "title": [AUDIT_THEMES[t] for t in theme],
            "theme": theme,
            "start_date": start,
            "completed_date": completed,
            "cases_reviewed": rng.integers(6, 21, quarters),
            "lead_agency": pick(rng, {"PARTNERSHIP": 60, "LA_CSC": 20, "POLICE": 10, "ICB": 10}, quarters),
        }
    )
    rows = []
    for k in np.flatnonzero(~np.isnat(completed)):
        agencies = rng.choice(list(AGENCIES), size=rng.integers(3, 7), replace=False)
        for agency in agencies:
            grade = str(pick(rng, GRADES, 1)[0])
            text = FINDINGS[grade][rng.integers(len(FINDINGS[grade]))]
            words = AGENCY_WORDS[agency]
            rows.append(
                (
                    audit_id[k],
                    agency,
                    grade,
                    text.format(a=words, A=words[0].upper() + words[1:], t=theme[k].lower()),
                )
            )
    findings = pd.DataFrame(rows, columns=["audit_id", "agency", "grade", "finding"])
    findings.insert(0, "finding_id", [f"{p.prefix}FND-{k + 1:04d}" for k in range(len(findings))])
    return audits, findings


def _training(rng: np.random.Generator, p: Partnership) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Three to seven courses a month; some attendees evaluate, and some answer a follow-up."""
    months = int((p.end64 - p.start64).astype(int) // 30)
    per_month = rng.integers(3, 8, months)
    n = int(per_month.sum())
    date = np.sort(p.start64 + np.repeat(np.arange(months) * 30, per_month) + _days(rng, 0, 29, n))
    date = np.minimum(date, p.end64)
    topic = pick(rng, list(TRAINING_TOPICS), n)
    delivery = pick(rng, {"IN_PERSON": 45, "ONLINE_LIVE": 40, "E_LEARNING": 15}, n)
    places = np.where(delivery == "E_LEARNING", 100, rng.integers(16, 41, n))
    attendees = rng.binomial(places, np.where(delivery == "E_LEARNING", 0.55, 0.82))
    event_id = np.array([f"{p.prefix}TRN-{k + 1:04d}" for k in range(n)], dtype=object)
    events = pd.DataFrame(
        {
            "event_id": event_id,
            "title": [TRAINING_TOPICS[t] for t in topic],
            "topic": topic,
            "event_date": date,
            "delivery": delivery,
            "places": places,
            "attendees": attendees,
        }
    )
    responses = rng.binomial(attendees, 0.35)
    event = np.repeat(np.arange(n), responses)
    m = len(event)
    before = rng.choice([1, 2, 3, 4, 5], m, p=[0.1, 0.3, 0.4, 0.17, 0.03])
    after = np.clip(before + rng.choice([0, 1, 2, 3], m, p=[0.2, 0.55, 0.22, 0.03]), 1, 5)
    follow = date[event] + np.timedelta64(90, "D")
    followed = (follow <= p.end64) & (rng.random(m) < 0.6)
    evaluations = pd.DataFrame(
        {
            "evaluation_id": [f"{p.prefix}EV-{k + 1:06d}" for k in range(m)],
            "event_id": event_id[event],
            "agency": pick(rng, AGENCIES, m),
            "confidence_before": before,
            "confidence_after": after,
            "follow_up_date": np.where(followed, follow, np.datetime64("NaT")),
            "practice_changed": yes_no(rng.random(m) < 0.68, followed),
        }
    )
    return events, evaluations


def _escalations(rng: np.random.Generator, p: Partnership) -> pd.DataFrame:
    """About three professional disagreements a month, mostly with children's social care."""
    span = int((p.end64 - p.start64).astype(int))
    n = int(span / 30 * 3)
    raised = np.sort(p.start64 + _days(rng, 0, span, n))
    raising = pick(
        rng,
        {
            "SCHOOLS": 30,
            "POLICE": 15,
            "HEALTH_PROVIDER": 15,
            "PRIMARY_CARE": 10,
            "LA_CSC": 10,
            "VOLUNTARY": 10,
            "LA_EARLY_HELP": 5,
            "HOUSING": 5,
        },
        n,
    )
    receiving = np.where(
        raising == "LA_CSC", pick(rng, {"POLICE": 1, "HEALTH_PROVIDER": 1, "SCHOOLS": 1}, n), "LA_CSC"
    )
    resolved = raised + _days(rng, 3, 45, n)
    open_now = (resolved > p.end64) | (rng.random(n) < 0.04)
    return pd.DataFrame(
        {
            "escalation_id": [f"{p.prefix}ESC-{k + 1:04d}" for k in range(n)],
            "raised_date": raised,
            "raising_agency": raising,
            "receiving_agency": receiving,
            "stage": rng.choice([1, 2, 3, 4], n, p=[0.7, 0.22, 0.06, 0.02]),
            "subject": pick(rng, ESCALATION_SUBJECTS, n),
            "resolved_date": np.where(open_now, np.datetime64("NaT"), resolved),
            "outcome": np.where(open_now, None, pick(rng, ESCALATION_OUTCOMES, n)),
        }
    )


def _return_years(p: Partnership) -> list[str]:
    """Section 11 returns every two years, for the financial years the period covers."""
    years = [y for y in range(p.start.year, p.end.year + 1) if np.datetime64(f"{y}-06-30") <= p.end64]
    return [f"{y}/{str(y + 1)[-2:]}" for y in years if (y - years[0]) % 2 == 0]


def _section11(rng: np.random.Generator, p: Partnership) -> pd.DataFrame:
    """Every agency rates itself against eight standards, every other year, improving a little each round."""
    rows = []
    for round_no, year in enumerate(_return_years(p)):
        for agency in S11_AGENCIES:
            for standard, title in enumerate(S11_STANDARDS, start=1):
                met = 0.55 + 0.08 * round_no
                rating = str(
                    pick(rng, {"MET": met, "PARTIALLY_MET": 0.85 - met + 0.1, "NOT_MET": 0.08}, 1)[0]
                )
                evidence = {
                    "MET": "Evidence provided and tested at challenge event",
                    "PARTIALLY_MET": "Policy in place; evidence of impact not yet seen",
                    "NOT_MET": "Gap identified; improvement action agreed",
                }[rating]
                rows.append((agency, year, standard, rating, f"{title}: {evidence.lower()}."))
    frame = pd.DataFrame(rows, columns=["agency", "return_year", "standard", "rating", "evidence_summary"])
    frame.insert(0, "return_id", [f"{p.prefix}S11-{k + 1:04d}" for k in range(len(frame))])
    return frame


def _priorities(rng: np.random.Generator, p: Partnership) -> pd.DataFrame:
    """Six three-year priorities, half starting two years in."""
    n = len(PRIORITIES)
    start = np.where(np.arange(n) < 3, p.start64, p.start64 + np.timedelta64(730, "D"))
    finish = start + np.timedelta64(3 * 365, "D")
    status = np.where(
        finish <= p.end64, "COMPLETE", pick(rng, {"ON_TRACK": 50, "AT_RISK": 35, "OFF_TRACK": 15}, n)
    )
    return pd.DataFrame(
        {
            "priority_id": [f"{p.prefix}PRI-{k + 1:02d}" for k in range(n)],
            "title": [t for t, _, _ in PRIORITIES],
            "description": [d for _, d, _ in PRIORITIES],
            "lead_agency": [a for _, _, a in PRIORITIES],
            "start_date": start,
            "end_date": finish,
            "status": status,
        }
    )


def _reviews(rng: np.random.Generator, p: Partnership) -> pd.DataFrame:
    """About five serious incident notifications a year; a quarter go on to a local practice review."""
    span = int((p.end64 - p.start64).astype(int))
    n = max(4, int(round(span / 365 * 5 * min(1.5, max(0.6, p.scale)))))
    notified = np.sort(p.start64 + _days(rng, 0, span - 20, n))
    rapid = blank_after(notified + _days(rng, 18, 28, n), p.end64)
    kind = np.where(rng.random(n) < 0.25, "LCSPR", "RAPID_REVIEW").astype(object)
    kind[rng.random(n) < 0.04] = "NATIONAL"
    published = np.where(
        kind != "RAPID_REVIEW", blank_after(notified + _days(rng, 200, 400, n), p.end64), np.datetime64("NaT")
    )
    recs = np.where(kind == "RAPID_REVIEW", rng.integers(0, 5, n), rng.integers(4, 11, n))
    return pd.DataFrame(
        {
            "review_id": [f"{p.prefix}LR-{k + 1:03d}" for k in range(n)],
            "review_type": kind,
            "notification_date": notified,
            "rapid_review_date": rapid,
            "published_date": published,
            "themes": pick(rng, REVIEW_THEMES, n),
            "recommendations": recs,
        }
    )


def _actions(
    rng: np.random.Generator,
    p: Partnership,
    audits: pd.DataFrame,
    findings: pd.DataFrame,
    reviews: pd.DataFrame,
    s11: pd.DataFrame,
    escalations: pd.DataFrame,
    priorities: pd.DataFrame,
) -> pd.DataFrame:
    """Actions from weaker audit findings, reviews, unmet Section 11 standards, escalations and priorities."""
    parts = []
    weak = findings[findings["grade"].isin(["REQUIRES_IMPROVEMENT", "INADEQUATE"])]
    audit = audits.set_index("audit_id")
    parts.append(
        pd.DataFrame(
            {
                "origin": "AUDIT",
                "origin_ref": weak["audit_id"].to_numpy(),
                "owner_agency": weak["agency"].to_numpy(),
                "theme": audit.loc[weak["audit_id"], "theme"].str.lower().to_numpy(),
                "raised": audit.loc[weak["audit_id"], "completed_date"].to_numpy(dtype="datetime64[D]"),
            }
        )
    )
    done = reviews[reviews["rapid_review_date"].notna()]
    parts.append(
        pd.DataFrame(
            {
                "origin": "LEARNING_REVIEW",
                "origin_ref": done["review_id"].to_numpy(),
                "owner_agency": pick(rng, AGENCIES, len(done)),
                "theme": "learning review",
                "raised": done["rapid_review_date"].to_numpy(dtype="datetime64[D]"),
            }
        )
    )
    unmet = s11[s11["rating"] == "NOT_MET"]
    parts.append(
        pd.DataFrame(
            {
                "origin": "SECTION_11",
                "origin_ref": unmet["return_id"].to_numpy(),
                "owner_agency": unmet["agency"].to_numpy(),
                "theme": "Section 11",
                "raised": np.array(
                    [np.datetime64(f"{y[:4]}-07-31") for y in unmet["return_year"]], dtype="datetime64[D]"
                ),
            }
        )
    )
    high = escalations[escalations["stage"] >= 3]
    parts.append(
        pd.DataFrame(
            {
                "origin": "ESCALATION",
                "origin_ref": high["escalation_id"].to_numpy(),
                "owner_agency": high["receiving_agency"].to_numpy(),
                "theme": "escalation",
                "raised": high["raised_date"].to_numpy(dtype="datetime64[D]"),
            }
        )
    )
    parts.append(
        pd.DataFrame(
            {
                "origin": "PRIORITY",
                "origin_ref": priorities["priority_id"].to_numpy(),
                "owner_agency": priorities["lead_agency"].to_numpy(),
                "theme": priorities["title"].str.lower().to_numpy(),
                "raised": priorities["start_date"].to_numpy(dtype="datetime64[D]") + np.timedelta64(60, "D"),
            }
        )
    )
    frame = pd.concat(parts, ignore_index=True)
    frame = frame[frame["raised"].notna() & (frame["raised"] <= p.end64)].reset_index(drop=True)
    n = len(frame)
    raised = frame["raised"].to_numpy(dtype="datetime64[D]")
    due = raised + _days(rng, 60, 180, n)
    past_due = due < p.end64 - np.timedelta64(60, "D")
    status = np.where(
        past_due,
        pick(rng, {"COMPLETED": 75, "CLOSED_NOT_DONE": 6, "IN_PROGRESS": 8, "OPEN": 11}, n),
        pick(rng, {"IN_PROGRESS": 50, "OPEN": 40, "COMPLETED": 10}, n),
    )
    completed = np.minimum(due + _days(rng, -40, 30, n), p.end64)
    completed = np.where(status == "COMPLETED", np.maximum(completed, raised), np.datetime64("NaT"))
    text = pick(rng, ACTION_TEXT, n)
    description = [
        t.format(t=theme, a=AGENCY_WORDS[agency])
        for t, theme, agency in zip(text, frame["theme"], frame["owner_agency"], strict=True)
    ]
    reaudit = _reaudits(frame, audits, completed)
    return pd.DataFrame(
        {
            "action_id": [f"{p.prefix}ACT-{k + 1:04d}" for k in range(n)],
            "origin": frame["origin"].to_numpy(),
            "origin_ref": frame["origin_ref"].to_numpy(),
            "description": description,
            "owner_agency": frame["owner_agency"].to_numpy(),
            "due_date": due,
            "status": status,
            "completed_date": completed,
            "reaudit_id": reaudit,
        }
    )


def _reaudits(actions: pd.DataFrame, audits: pd.DataFrame, completed: np.ndarray) -> np.ndarray:
    """A completed audit action is re-tested by the next audit on the same theme, when there is one."""
    out = np.full(len(actions), None, dtype=object)
    by_theme = {theme: group.sort_values("start_date") for theme, group in audits.groupby("theme")}
    theme_of = audits.set_index("audit_id")["theme"]
    for k in np.flatnonzero((actions["origin"] == "AUDIT").to_numpy() & ~np.isnat(completed)):
        later = by_theme[theme_of[actions["origin_ref"].iloc[k]]]
        later = later[later["start_date"].to_numpy(dtype="datetime64[D]") > completed[k]]
        if len(later):
            out[k] = later["audit_id"].iloc[0]
    return out


def _voice(rng: np.random.Generator, p: Partnership) -> pd.DataFrame:
    """What children said, by theme; some themes are felt more negatively (changes of worker)."""
    span = int((p.end64 - p.start64).astype(int))
    n = int(span / 30 * 25 * min(1.5, max(0.6, p.scale)))
    date = np.sort(p.start64 + _days(rng, 0, span, n))
    theme = pick(rng, list(VOICE_THEMES), n)
    positive = pd.Series(theme).map(VOICE_THEMES).to_numpy(dtype=float)
    u = rng.random(n)
    sentiment = np.where(
        u < positive, "POSITIVE", np.where(u < positive + (1 - positive) * 0.55, "MIXED", "NEGATIVE")
    )
    return pd.DataFrame(
        {
            "feedback_id": [f"{p.prefix}VOC-{k + 1:05d}" for k in range(n)],
            "feedback_date": date,
            "agency": pick(
                rng,
                {
                    "LA_CSC": 35,
                    "LA_EARLY_HELP": 25,
                    "SCHOOLS": 15,
                    "HEALTH_PROVIDER": 10,
                    "POLICE": 5,
                    "VOLUNTARY": 10,
                },
                n,
            ),
            "age_band": pick(rng, {"5-9": 20, "10-15": 55, "16-17": 25}, n),
            "theme": theme,
            "sentiment": sentiment,
        }
    )
