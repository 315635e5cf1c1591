"""How officers write người có công categories and causes of poverty, matched to the lists'
codes: folded words, the usual abbreviations ("TB", "HĐKC", "CĐHH"), relatives ("Con liệt
sĩ", "Vợ thương binh"), synonyms and near spellings — and a list of causes split at its commas
only where a comma is not inside a cause's own name ("Không có công cụ, phương tiện sản xuất")."""
import difflib
import re

from app.imports.convert import fold

_NON_WORD = re.compile(r"[^0-9a-z]+")
ABBREVIATIONS = {"tb": "thuong binh", "bb": "benh binh", "ls": "liet si", "hdkc": "hoat dong khang chien",
                 "hdcm": "hoat dong cach mang", "cdhh": "chat doc hoa hoc", "mvnah": "me viet nam anh hung",
                 "bmvnah": "ba me viet nam anh hung", "ahllvt": "anh hung luc luong vu trang",
                 "ahld": "anh hung lao dong", "ncc": "nguoi co cong", "cm": "cach mang",
                 "tnls": "than nhan liet si", "gdls": "gia dinh liet si", "nkt": "nguoi khuyet tat",
                 "tnxh": "te nan xa hoi", "sx": "san xuat", "kd": "kinh doanh", "sxkd": "san xuat kinh doanh"}


def words(value: str) -> str:
    """Folded, punctuation gone, abbreviations written out: "Người HĐKC bị nhiễm CĐHH" →
    "nguoi hoat dong khang chien bi nhiem chat doc hoa hoc"."""
    out = [ABBREVIATIONS.get(w, w) for w in _NON_WORD.sub(" ", fold(value)).split()]
    return " ".join(out)


def _has(key: str, phrase: str) -> bool:
    return f" {phrase} " in f" {key} "


# Người có công ----------------------------------------------------------------------------------

# Words naming a category, tried in this order (the more particular first: a resistance
# fighter poisoned by chemicals is i, not l). Codes as in the merit_category list.
MERIT_RULES = [
    ("c", ("liet si",)),
    ("d", ("me viet nam anh hung",)),
    ("dd", ("anh hung luc luong vu trang", "anh hung llvt", "anh hung luc luong vu trang nhan dan")),
    ("e", ("anh hung lao dong",)),
    ("i", ("chat doc hoa hoc", "chat doc da cam", "da cam", "dioxin")),
    ("h", ("benh binh",)),
    ("g", ("thuong binh", "chinh sach nhu thuong binh")),
    ("k", ("bi dich bat", "tu day", "bi bat tu")),
    ("m", ("giup do cach mang", "co cong giup do cach mang")),
    ("a", ("truoc ngay 01 01 1945", "truoc 1945", "truoc ngay 1 1 1945", "lao thanh cach mang",
           "can bo lao thanh")),
    ("b", ("tien khoi nghia", "khoi nghia thang tam", "tong khoi nghia")),
    ("l", ("khang chien", "bao ve to quoc", "nghia vu quoc te", "giai phong dan toc")),
]
RELATIVE_WORDS = ("than nhan", "gia dinh", "con", "vo", "chong", "cha", "me", "bo", "cha me",
                  "bo me", "cha de", "me de", "nguoi tho cung", "con de", "con nuoi")


def merit(value: str) -> tuple[str, bool] | None:
    """(category code, written as a relative's category) for the usual ways of writing one:
    "Con liệt sĩ" → ("c", True), "TB 4/4" → ("g", False), "Người HĐKC bị nhiễm chất độc hóa
    học" → ("i", False); None when no category's words are there."""
    key = words(value)
    relative = False
    for prefix in sorted(RELATIVE_WORDS, key=len, reverse=True):
        if key.startswith(prefix + " ") and not key.startswith("me viet nam"):
            relative, key = True, key[len(prefix) + 1:]
            break
    for code, phrases in MERIT_RULES:
        if any(_has(key, p) for p in phrases):
            return code, relative or code == "c"
    return None


# Causes of poverty ------------------------------------------------------------------------------

CAUSE_WORDS = {
    "no_land": ("thieu dat san xuat", "khong co dat", "thieu dat", "khong co dat san xuat",
                "it dat san xuat", "thieu dat canh tac", "khong co dat canh tac", "=dat"),
    "no_capital": ("thieu von", "khong co von", "thieu von san xuat", "thieu von san xuat kinh doanh",
                   "khong co von san xuat", "=von"),
    "no_labour": ("thieu lao dong", "khong co lao dong", "khong co suc lao dong",
                  "thieu suc lao dong", "khong con kha nang lao dong", "het tuoi lao dong"),
    "no_means": ("thieu cong cu", "thieu phuong tien san xuat", "khong co phuong tien san xuat",
                 "thieu cong cu phuong tien san xuat", "khong co cong cu san xuat",
                 "thieu cong cu san xuat"),
    "no_skills": ("khong biet cach lam an", "thieu kien thuc lam an", "khong co tay nghe",
                  "thieu kinh nghiem lam an", "thieu kien thuc", "thieu tay nghe",
                  "thieu ky nang", "khong co kien thuc", "thieu kien thuc kinh nghiem",
                  "khong biet cach lam an khong co tay nghe", "thieu trinh do"),
    "no_job": ("khong co viec lam", "thieu viec lam", "that nghiep", "khong co viec"),
    "illness": ("om dau", "benh tat", "om dau benh tat", "tai nan", "om dau nang", "co nguoi om dau",
                "benh hiem ngheo", "om dau tai nan", "co nguoi om dau nang", "=om", "=benh"),
    "disability": ("khuyet tat", "co nguoi khuyet tat", "nguoi khuyet tat"),
    "dependants": ("dong con", "dong nguoi an theo", "nhieu nguoi an theo", "dong nguoi phu thuoc",
                   "an theo", "nhieu nguoi phu thuoc", "dong nhan khau"),
    "social_evils": ("te nan xa hoi", "nghien hut", "ma tuy", "co nguoi mac te nan xa hoi",
                     "nghien ruou"),
    "refuses_work": ("luoi lao dong", "chay luoi", "luoi bieng", "luoi lam"),
    "other": ("thien tai", "rui ro", "=khac", "nguyen nhan khac", "thien tai rui ro",
              "thien tai dich benh"),
}
_SPLIT = re.compile(r"[,;/\n+]+|\s-\s")
SIMILAR = 0.8   # difflib ratio above which a written cause is taken for a listed one


class Causes:
    """The list's causes (code → label) with their synonyms: text → codes, or the pieces that
    are no cause (returned so the caller can name them)."""

    def __init__(self, rows: dict[str, str]):
        self.exact: dict[str, str] = {}
        self.inside: list[tuple[str, str]] = []      # (phrase, code), longest first
        for code, label in rows.items():
            for key in (words(code.replace("_", " ")), code, words(label),
                        words(re.sub(r"\(.*?\)", "", label))):
                self.exact.setdefault(key, code)
            self.inside.append((words(re.sub(r"\(.*?\)", "", label)), code))
            for syn in CAUSE_WORDS.get(code, ()):
                self.exact.setdefault(syn.lstrip("="), code)
                if not syn.startswith("="):
                    self.inside.append((syn, code))
        self.inside.sort(key=lambda p: len(p[0]), reverse=True)
        self.names = list(self.exact)

    def one(self, text: str) -> str | None:
        key = words(text)
        if not key:
            return None
        if key in self.exact:
            return self.exact[key]
        close = difflib.get_close_matches(key, self.names, n=1, cutoff=SIMILAR)
        if close:
            return self.exact[close[0]]
        for phrase, code in self.inside:
            if len(phrase.split()) >= 2 and _has(key, phrase):
                return code
        return None

    def __call__(self, value) -> tuple[list[str], list[str]]:
        """(codes, pieces not recognised). Pieces between commas are joined back when together
        they are one cause's name ("Không có công cụ, phương tiện sản xuất")."""
        pieces = [p.strip() for p in _SPLIT.split(value) if p.strip()]
        codes, unknown, i = [], [], 0
        while i < len(pieces):
            for j in range(len(pieces), i, -1):
                joined = " ".join(pieces[i:j])
                code = self.exact.get(words(joined)) if j - i > 1 else self.one(joined)
                if code:
                    codes.append(code)
                    i = j
                    break
            else:
                unknown.append(pieces[i])
                i += 1
        return list(dict.fromkeys(codes)), unknown
