"""The member form's rules, applied to a row of the file: name, relationship, birth date or
year (not in the future, consistent), sex (from its column, the Nam/Nữ birth-year columns or the
CCCD), CCCD consistent with birth year and sex (households.checks), the người có công relation."""
from app.core.i18n import N_
from app.households import checks
from app.imports import convert
from app.imports.convert import fold

MEMBER_COLUMNS = {"relationship": "relationship_code", "ethnicity": "ethnicity_code",
                  "schooling": "schooling_code", "work_status": "work_status_code",
                  "id_number": "id_number", "health_insurance_number": "health_insurance_number",
                  "health_insurance_expiry": "health_insurance_expiry",
                  "merit_category": "merit_category", "merit_relation": "merit_relation",
                  "merit_benefit": "merit_benefit"}
IDENTITY = {"birth_date", "birth_year", "birth_year_male", "birth_year_female", "id_number"}


class MemberRules:
    """Mixed into validate._Check (self.ctx, self.mapped, self.issues, self.today, _error)."""

    def _member(self, hh, row, index, single):
        g, n = row.member, row.number
        name = g.get("full_name") or (row.household.get("head_name") if single else None)
        if not name:
            if not row.bad:
                self._error(hh, n, "full_name", N_("Thiếu họ và tên."))
            return None
        m = {"full_name": name, "name_folded": fold(name)}
        if single:
            m["relationship_code"] = "head"
        elif "relationship" in g:
            m["relationship_code"] = g["relationship"]
        elif "relationship" not in self.mapped:
            m["relationship_code"] = "head" if index == 0 else "other"
        elif "relationship" not in row.bad:
            self._error(hh, n, "relationship", N_("Thiếu quan hệ với chủ hộ."))
        for key, value in g.items():
            column = MEMBER_COLUMNS.get(key)
            if column:
                m[column] = value
        if "merit_category" in m:                  # (code, written as a relative's category)
            m["merit_category"], relative = m["merit_category"]
            if relative and not m.get("merit_relation"):
                m["merit_relation"] = "relative"
        if "has_disability" in g:
            m["has_disability"], m["disability_note"] = g["has_disability"]
        self._birth(hh, n, g, m, row.bad)
        self._sex(hh, n, g, m, single)
        if m.get("id_number"):
            problem = checks.id_number_problem(m["id_number"], m.get("birth_year"), m.get("sex"))
            if problem:
                self._error(hh, n, "id_number", problem)
        if m.get("merit_category") and not m.get("merit_relation"):
            if m["merit_category"] == "c":
                m["merit_relation"] = "relative"
            else:
                m["merit_relation"] = "self"
                self.issues.warning(n, "merit_relation", N_("Chưa ghi quan hệ với người có công: "
                                                            "ghi là “Bản thân”."))
        return n, m

    def _birth(self, hh, n, g, m, bad):
        born = g.get("birth_date")
        years = {}
        if isinstance(born, int):
            years["birth_date"], born = born, None
        elif born is not None:
            if born > self.today:
                self._error(hh, n, "birth_date", N_("Ngày không được ở tương lai."))
            elif born.year < convert.MIN_YEAR:
                self._error(hh, n, "birth_date", N_("Năm sinh phải từ 1900 đến năm hiện tại."))
            years["birth_date"] = born.year
            m["birth_date"] = born
        for key in ("birth_year", "birth_year_male", "birth_year_female"):
            if key in g:
                years[key] = g[key]
        if len(set(years.values())) > 1:
            self._error(hh, n, "birth_year", N_("Năm sinh không khớp với ngày sinh."))
        elif years:
            m["birth_year"] = next(iter(years.values()))
        elif not IDENTITY & bad:
            self._error(hh, n, "birth_year", N_("Nhập ngày sinh hoặc năm sinh."))

    def _sex(self, hh, n, g, m, single):
        by_column = {"birth_year_male": "M", "birth_year_female": "F"}
        marked = {by_column[k] for k in by_column if k in g}
        sex = g.get("sex")
        if len(marked) > 1 or (sex and marked and {sex} != marked):
            self._error(hh, n, "sex", N_("Giới tính không khớp với cột năm sinh Nam/Nữ."))
            return
        sex = sex or next(iter(marked), None) or checks.sex_from_id_number(m.get("id_number"))
        if sex is None and single and "is_female_headed" in hh.values:
            sex = "F" if hh.values["is_female_headed"] else "M"
        if sex is None:
            self._error(hh, n, "sex", N_("Thiếu giới tính (cột Giới tính, hoặc năm sinh ghi ở cột "
                                         "Nam/Nữ)."))
        else:
            m["sex"] = sex
