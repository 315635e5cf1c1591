"""The initial poverty standards and causes, inserted by migration 0002. Frozen: corrections
go through the admin pages or a new migration, never here."""

STANDARDS = [
    {
        "code": "2016-2021", "name": "Chuẩn nghèo tiếp cận đa chiều giai đoạn 2016–2020",
        "legal_basis": "Quyết định 59/2015/QĐ-TTg", "year_from": 2016, "year_to": 2021,
        "is_provisional": False,
        "lines": {"rural": (700_000, 1_000_000, None, None),
                  "urban": (900_000, 1_300_000, None, None)},
        "dimensions": [
            ("health", "Y tế", [("access_health", "Tiếp cận các dịch vụ y tế"),
                                ("health_insurance", "Bảo hiểm y tế")]),
            ("education", "Giáo dục", [("adult_education", "Trình độ giáo dục của người lớn"),
                                       ("child_schooling", "Tình trạng đi học của trẻ em")]),
            ("housing", "Nhà ở", [("housing_quality", "Chất lượng nhà ở"),
                                  ("housing_area", "Diện tích nhà ở bình quân đầu người")]),
            ("water", "Điều kiện sống", [("water", "Nguồn nước sinh hoạt"),
                                          ("latrine", "Hố xí/nhà tiêu hợp vệ sinh")]),
            ("information", "Tiếp cận thông tin", [
                ("telecom", "Sử dụng dịch vụ viễn thông"),
                ("information_assets", "Tài sản phục vụ tiếp cận thông tin")]),
        ],
    },
    {
        "code": "2022-2026", "name": "Chuẩn nghèo đa chiều giai đoạn 2022–2025",
        "legal_basis": "Nghị định 07/2021/NĐ-CP (áp dụng đến hết năm 2026)",
        "year_from": 2022, "year_to": 2026, "is_provisional": False,
        "lines": {"rural": (None, 1_500_000, 2_250_000, 140),
                  "urban": (None, 2_000_000, 3_000_000, 175)},
        "dimensions": [
            ("employment", "Việc làm", [("employment", "Việc làm"),
                                        ("dependants", "Người phụ thuộc trong hộ gia đình")]),
            ("health", "Y tế", [("nutrition", "Dinh dưỡng"), ("health_insurance", "Bảo hiểm y tế")]),
            ("education", "Giáo dục", [("adult_education", "Trình độ giáo dục của người lớn"),
                                       ("child_schooling", "Tình trạng đi học của trẻ em")]),
            ("housing", "Nhà ở", [("housing_quality", "Chất lượng nhà ở"),
                                  ("housing_area", "Diện tích nhà ở bình quân đầu người")]),
            ("water", "Nước sinh hoạt và vệ sinh", [("water", "Nguồn nước sinh hoạt"),
                                                     ("latrine", "Nhà tiêu hợp vệ sinh")]),
            ("information", "Thông tin", [
                ("telecom", "Sử dụng dịch vụ viễn thông"),
                ("information_devices", "Phương tiện phục vụ tiếp cận thông tin")]),
        ],
    },
    {
        "code": "2027-2030", "name": "Chuẩn nghèo đa chiều giai đoạn 2026–2030 (tạm tính)",
        "legal_basis": "Nghị định 351/2025/NĐ-CP [cần kiểm tra]",
        "year_from": 2027, "year_to": 2030, "is_provisional": True,
        "lines": {"rural": (None, 2_200_000, None, None),
                  "urban": (None, 2_800_000, None, None)},
        "dimensions": [
            ("employment", "Việc làm", [("employment", "Việc làm"),
                                        ("dependants", "Người phụ thuộc trong hộ gia đình")]),
            ("health", "Y tế", [("nutrition", "Dinh dưỡng"), ("health_insurance", "Bảo hiểm y tế")]),
            ("education", "Giáo dục", [("adult_education", "Trình độ giáo dục của người lớn"),
                                       ("child_schooling", "Tình trạng đi học của trẻ em")]),
            ("housing", "Nhà ở", [("housing_quality", "Chất lượng nhà ở"),
                                  ("housing_area", "Diện tích nhà ở bình quân đầu người")]),
            ("water", "Nước sinh hoạt và môi trường", [
                ("water", "Nguồn nước sinh hoạt"), ("latrine", "Nhà tiêu hợp vệ sinh"),
                ("waste", "Thu gom, xử lý rác thải")]),
            ("information", "Thông tin và dịch vụ số", [
                ("telecom", "Sử dụng dịch vụ viễn thông"),
                ("digital_services", "Sử dụng dịch vụ số")]),
        ],
    },
]

CAUSES = [
    ("no_land", "Không có đất sản xuất"), ("no_capital", "Không có vốn sản xuất kinh doanh"),
    ("no_labour", "Không có lao động"), ("no_means", "Không có công cụ, phương tiện sản xuất"),
    ("no_skills", "Không biết cách làm ăn, không có tay nghề"),
    ("no_job", "Có lao động nhưng không có việc làm"), ("illness", "Ốm đau nặng, tai nạn"),
    ("disability", "Có người khuyết tật"), ("dependants", "Đông người ăn theo"),
    ("social_evils", "Mắc tệ nạn xã hội"), ("refuses_work", "Chây lười lao động"),
    ("other", "Nguyên nhân khác (thiên tai, rủi ro…)"),
]
