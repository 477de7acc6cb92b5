-- A calibration is a manager's view of one report, area by area (issue 15):
-- at target, getting there or not seen yet, and an optional note the report
-- reads. Only the latest view of each manager about each report is kept:
-- a new one replaces it (SetCalibration, calibrations.go), so no history of
-- a manager's opinions piles up about a person. A row names the manager who
-- wrote it, and is shown only while that manager is the report's current,
-- accepted one: a new manager neither sees nor inherits it.
--
-- choices holds the areas' steps as a JSON object, {"people":"at_target",
-- …}: the areas come from the ladder file, which an operator may change.
-- report cascades; ForgetMember (forget.go) deletes the rows of a member
-- both as report and as manager, since a manager need not be enrolled.
CREATE TABLE calibrations (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    report     TEXT NOT NULL REFERENCES members (user_id) ON DELETE CASCADE,
    manager    TEXT NOT NULL,
    choices    TEXT NOT NULL,
    note       TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    UNIQUE (report, manager)
);
CREATE INDEX calibrations_manager ON calibrations (manager);

-- When a manager last had a 1:1 agenda about a report (/ladder 1on1
-- @report), so that the next one shows what was shared since. One row per
-- manager and report; no words of anyone.
CREATE TABLE oneonone_agendas (
    manager    TEXT NOT NULL,
    report     TEXT NOT NULL REFERENCES members (user_id) ON DELETE CASCADE,
    last_at    INTEGER NOT NULL,
    PRIMARY KEY (manager, report)
);
CREATE INDEX oneonone_agendas_report ON oneonone_agendas (report);
