"""The downloadable template: one row per member, the headings the importer recognises, and
one example row (the head of a household in the user's first hamlet) that imports cleanly."""
from datetime import date

from app.core import clock
from app.core.excel import Column, Sheet

COLUMNS = [
    ("Mã hộ", "text", 12, ""), ("Thôn", "text", 16, "hamlet"),
    ("Địa chỉ", "text", 20, "Số 12, đường liên thôn"),
    ("Họ và tên", "text", 24, "Nguyễn Văn Mẫu"), ("Quan hệ với chủ hộ", "text", 12, "Chủ hộ"),
    ("Ngày sinh", "date", 12, date(1975, 3, 12)), ("Giới tính", "text", 9, "Nam"),
    ("Dân tộc", "text", 10, "Kinh"), ("Số CCCD", "text", 15, "038075012345"),
    ("Số thẻ BHYT", "text", 17, "HN4380123456789"), ("Hạn thẻ BHYT", "date", 12, date(clock.today().year, 12, 31)),
    ("Khuyết tật", "text", 10, ""), ("Người có công (diện)", "text", 14, "Thương binh"),
    ("Quan hệ với người có công", "text", 12, "Bản thân"),
    ("Chế độ đang hưởng", "text", 14, "Trợ cấp hằng tháng"),
    ("Phân loại hộ", "text", 14, ""),
    ("Thu nhập bình quân (đồng/người/tháng)", "vnd", 16, 1_200_000),
    ("Chỉ số thiếu hụt", "text", 14, "1, 9, 10"),
    ("Nguyên nhân nghèo", "text", 20, "Không có vốn sản xuất kinh doanh"),
    ("Ghi chú", "text", 20, "Dòng ví dụ: xóa trước khi nhập"),
]
# The example household's second member: no code, the row under its head.
SPOUSE = {"Họ và tên": "Trần Thị Mẫu", "Quan hệ với chủ hộ": "Vợ", "Ngày sinh": date(1978, 8, 20),
          "Giới tính": "Nữ", "Dân tộc": "Kinh", "Số CCCD": "038178012346",
          "Ghi chú": "Dòng ví dụ: xóa trước khi nhập"}
HELP = [
    "Mỗi dòng là một người. Các thành viên cùng hộ ghi cùng mã hộ; cột “Quan hệ với chủ hộ” ghi "
    "“Chủ hộ” cho đúng một người mỗi hộ. Hộ mới chưa có mã: để trống mã, hệ thống cấp mã; các "
    "thành viên ghi ngay dưới dòng chủ hộ (mã cũng để trống).",
    "Phân loại hộ: để trống thì hệ thống tính theo thu nhập và chỉ số thiếu hụt; nếu ghi thì cần "
    "số và ngày quyết định công nhận.",
    "Ngày ghi dd/mm/yyyy (12/03/1958) hoặc định dạng ngày của Excel; chỉ biết năm sinh thì ghi "
    "năm (1958). Số tiền ghi 1.500.000 hoặc 1500000.",
    "Số CCCD 12 chữ số (3 số đầu là mã tỉnh, số thứ 4 mã thế kỷ/giới tính, số 5–6 hai số cuối "
    "năm sinh). Số thẻ BHYT: 10 chữ số hoặc 2 chữ cái và 13 chữ số.",
    "Người có công: diện a)–m) hoặc tên diện (Thương binh, Bệnh binh, Thân nhân liệt sĩ…).",
    "Phân loại hộ, thu nhập và chỉ số thiếu hụt (số thứ tự theo chuẩn nghèo, cách nhau bởi dấu "
    "phẩy) là kết quả rà soát của năm chọn khi nhập; nếu có Phân loại thì cần số và ngày quyết "
    "định (nhập một lần cho cả tệp khi nhập).",
    "Có thể dùng tệp của xã với tiêu đề cột khác: hệ thống gợi ý cách ghép cột và ghi nhớ cho lần sau.",
]


def template_sheets(hamlet_name: str | None, commune_code: str) -> list[Sheet]:
    example = []
    for heading, kind, width, value in COLUMNS:
        if value == "hamlet":
            value = hamlet_name or ""
        example.append(value)
    spouse = [SPOUSE.get(heading, "") for heading, *_ in COLUMNS]
    columns = [Column(heading, kind, width) for heading, kind, width, _ in COLUMNS]
    data = Sheet("Danh sách", ["DANH SÁCH HỘ GIA ĐÌNH VÀ THÀNH VIÊN (MẪU NHẬP)",
                               "Mỗi dòng một người; xem trang “Hướng dẫn”."],
                 columns, [example, spouse])
    guide = Sheet("Hướng dẫn", ["HƯỚNG DẪN"], [Column("Nội dung", "text", 110)],
                  [[line] for line in HELP])
    return [data, guide]
