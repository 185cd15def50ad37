"""The Hải Phòng demo (``dondoc demo-data``), drawn from the seed article of 11/12/2025.

The Chairman of the city People's Committee (Lê Ngọc Châu, as in the article) orders the
departments to implement the 45 resolutions the City People's Council has just passed, to finish
the adjusted city master plan, the 2026 growth scenario, the 2026 and 2026–2030 public
investment plans, and six sector programmes. Every other person is fictional.

Dates are laid relative to the day the demo is loaded, so the demo is alive whenever it runs:
some tasks done on time, some late, some due this week, some overdue (a few long enough to be
escalated), some without a deadline; report history with notes; pending extension requests.
The generator is seeded: the same day gives the same data.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.calendar import WorkCalendar
from bot.context import AppContext
from bot.models import (
    DeadlineChange,
    Direction,
    ExplanationRequest,
    ExtensionRequest,
    ExtensionStatus,
    Official,
    Priority,
    Recommendation,
    Report,
    ReportKind,
    Role,
    Task,
    Unit,
    UnitKind,
)
from bot.services import audit
from bot.services.summary import due_window

SEED = 20251211

# (code, name, head title)
DEPARTMENTS: tuple[tuple[str, str, str], ...] = (
    ("VP-UBND", "Văn phòng UBND thành phố", "Chánh Văn phòng"),
    ("SO-TC", "Sở Tài chính", "Giám đốc Sở"),
    ("SO-XD", "Sở Xây dựng", "Giám đốc Sở"),
    ("SO-VHTTDL", "Sở Văn hóa, Thể thao và Du lịch", "Giám đốc Sở"),
    ("SO-GDDT", "Sở Giáo dục và Đào tạo", "Giám đốc Sở"),
    ("SO-YT", "Sở Y tế", "Giám đốc Sở"),
    ("SO-NV", "Sở Nội vụ", "Giám đốc Sở"),
    ("SO-TP", "Sở Tư pháp", "Giám đốc Sở"),
    ("SO-NNMT", "Sở Nông nghiệp và Môi trường", "Giám đốc Sở"),
    ("SO-CT", "Sở Công Thương", "Giám đốc Sở"),
    ("SO-KHCN", "Sở Khoa học và Công nghệ", "Giám đốc Sở"),
    ("BQL-KKT", "Ban Quản lý Khu kinh tế Hải Phòng", "Trưởng ban"),
)
COMMUNES: tuple[tuple[str, str, str], ...] = (
    ("P-HONGBANG", "Phường Hồng Bàng", "Chủ tịch UBND phường"),
    ("P-LECHAN", "Phường Lê Chân", "Chủ tịch UBND phường"),
    ("P-DOSON", "Phường Đồ Sơn", "Chủ tịch UBND phường"),
    ("X-VINHBAO", "Xã Vĩnh Bảo", "Chủ tịch UBND xã"),
    ("DK-CATHAI", "Đặc khu Cát Hải", "Chủ tịch UBND đặc khu"),
    ("DK-BACHLONGVI", "Đặc khu Bạch Long Vĩ", "Chủ tịch UBND đặc khu"),
)
#: Which Phó Chủ tịch is in charge of a lead unit's tasks (lãnh đạo phụ trách), by field as a
#: city divides its work: the standing vice chairman finance, internal affairs and the
#: communes; one the economy; one culture and society.
FIELD_LEADERS: dict[str, str] = {
    "VP-UBND": "PCT-01",
    "SO-TC": "PCT-01",
    "SO-NV": "PCT-01",
    "SO-TP": "PCT-01",
    "SO-XD": "PCT-03",
    "SO-NNMT": "PCT-03",
    "SO-CT": "PCT-03",
    "SO-KHCN": "PCT-03",
    "BQL-KKT": "PCT-03",
    "SO-VHTTDL": "PCT-02",
    "SO-GDDT": "PCT-02",
    "SO-YT": "PCT-02",
}
#: Every HANDLER_GAP-th demo task names no handler (cán bộ thụ lý): its unit hears it.
HANDLER_GAP = 4
# (code, full name, title, role); the chairman is the real one named in the article.
LEADERS: tuple[tuple[str, str, str, Role], ...] = (
    ("CT-UBND", "Lê Ngọc Châu", "Chủ tịch UBND thành phố", Role.LEADER),
    ("PCT-01", "Nguyễn Đức Thành", "Phó Chủ tịch Thường trực UBND thành phố", Role.LEADER),
    ("PCT-02", "Trần Thị Minh Hằng", "Phó Chủ tịch UBND thành phố", Role.LEADER),
    ("PCT-03", "Phạm Quốc Khánh", "Phó Chủ tịch UBND thành phố", Role.LEADER),
)
COMMUNE_CODES = frozenset(code for code, _, _ in COMMUNES)
ADMIN = ("VP-QT", "Đỗ Thị Lan Anh", "Chuyên viên Văn phòng UBND thành phố", Role.ADMIN)

# The 45 resolutions of the year-end session: (lead unit, subject).
RESOLUTIONS: tuple[tuple[str, str], ...] = (
    ("SO-TC", "phân cấp nguồn thu, nhiệm vụ chi giữa các cấp ngân sách giai đoạn 2026–2030"),
    (
        "SO-TC",
        "dự toán thu ngân sách nhà nước trên địa bàn, thu, chi ngân sách địa phương năm 2026",
    ),
    ("SO-TC", "phân bổ dự toán ngân sách thành phố năm 2026"),
    ("SO-TC", "kế hoạch tài chính 05 năm giai đoạn 2026–2030"),
    ("SO-TC", "cơ chế hỗ trợ doanh nghiệp nhỏ và vừa trên địa bàn thành phố"),
    ("SO-XD", "giá dịch vụ xe ra, vào bến xe khách trên địa bàn thành phố"),
    ("SO-XD", "chính sách hỗ trợ phát triển nhà ở xã hội"),
    ("SO-XD", "sử dụng tạm thời một phần lòng đường, hè phố ngoài mục đích giao thông"),
    ("SO-XD", "chính sách hỗ trợ người dân sử dụng dịch vụ xe buýt"),
    ("SO-NNMT", "bảng giá đất áp dụng từ ngày 01/01/2026"),
    ("SO-NNMT", "danh mục công trình, dự án cần thu hồi đất năm 2026"),
    ("SO-NNMT", "chính sách hỗ trợ phát triển sản xuất nông nghiệp"),
    ("SO-NNMT", "mức thu phí bảo vệ môi trường đối với nước thải"),
    ("SO-NNMT", "chính sách hỗ trợ chuyển đổi cơ cấu cây trồng, vật nuôi"),
    ("SO-GDDT", "mức học phí đối với cơ sở giáo dục công lập năm học 2025–2026"),
    ("SO-GDDT", "chính sách hỗ trợ giáo viên mầm non ngoài công lập"),
    ("SO-GDDT", "chính sách thu hút, đãi ngộ nhà giáo có trình độ cao"),
    ("SO-GDDT", "mức thưởng học sinh giỏi và giáo viên có học sinh đạt giải quốc gia, quốc tế"),
    ("SO-YT", "giá dịch vụ khám bệnh, chữa bệnh không thuộc phạm vi quỹ bảo hiểm y tế"),
    ("SO-YT", "hỗ trợ mức đóng bảo hiểm y tế cho người cao tuổi"),
    ("SO-YT", "chính sách thu hút bác sĩ về công tác tại y tế cơ sở"),
    ("SO-VHTTDL", "chế độ dinh dưỡng đối với huấn luyện viên, vận động viên thành tích cao"),
    ("SO-VHTTDL", "chính sách khuyến khích phát triển du lịch"),
    ("SO-VHTTDL", "chính sách hỗ trợ nghệ nhân, bảo tồn di sản văn hóa phi vật thể"),
    ("SO-VHTTDL", "mức chi tổ chức các lễ hội truyền thống cấp thành phố"),
    ("SO-NV", "số lượng cán bộ, công chức cấp xã năm 2026"),
    ("SO-NV", "chính sách thu hút, trọng dụng người có tài năng"),
    ("SO-NV", "mức phụ cấp người hoạt động không chuyên trách ở thôn, tổ dân phố"),
    ("SO-NV", "biên chế công chức trong các cơ quan hành chính năm 2026"),
    ("SO-TP", "mức chi bảo đảm công tác xây dựng và kiểm tra văn bản quy phạm pháp luật"),
    ("SO-TP", "mức chi cho hoạt động hòa giải ở cơ sở"),
    ("SO-CT", "chính sách khuyến công và phát triển cụm công nghiệp"),
    ("SO-CT", "cơ chế hỗ trợ xúc tiến thương mại, phát triển thị trường xuất khẩu"),
    ("SO-CT", "phát triển hạ tầng thương mại, chợ và trung tâm logistics"),
    ("SO-KHCN", "chính sách hỗ trợ đổi mới sáng tạo và khởi nghiệp"),
    ("SO-KHCN", "chương trình chuyển đổi số thành phố giai đoạn 2026–2030"),
    ("SO-KHCN", "đặt hàng nhiệm vụ khoa học và công nghệ cấp thành phố"),
    ("BQL-KKT", "cơ chế, chính sách đặc thù cho Khu thương mại tự do thế hệ mới"),
    ("BQL-KKT", "chính sách ưu đãi đầu tư vào Khu kinh tế chuyên biệt"),
    ("BQL-KKT", "danh mục dự án kêu gọi đầu tư vào khu công nghiệp năm 2026"),
    ("VP-UBND", "chương trình xây dựng nghị quyết của HĐND thành phố năm 2026"),
    ("SO-TC", "danh mục dự án đầu tư theo phương thức đối tác công tư (PPP)"),
    ("SO-XD", "chủ trương đầu tư hạ tầng giao thông kết nối cảng Nam Đồ Sơn"),
    ("SO-NNMT", "hạn mức giao đất, công nhận quyền sử dụng đất"),
    ("SO-YT", "mức hỗ trợ nhân viên y tế thôn, tổ dân phố"),
)
RESOLUTION_OUTPUTS = (
    "Kế hoạch triển khai của UBND thành phố",
    "Quyết định của UBND thành phố",
    "Văn bản hướng dẫn thực hiện",
)

# Done 14 on time, 5 late; 8 due this week; 6 overdue; 4 escalated; 8 on track = 45.
RESOLUTION_SCENARIOS: tuple[str, ...] = (
    *["on_time"] * 14,
    *["late"] * 5,
    *["due_week"] * 8,
    *["overdue"] * 6,
    *["escalated"] * 4,
    *["on_track"] * 8,
)


@dataclass(frozen=True)
class Plan:
    """A named task from the article (or a commune's local task)."""

    code: str
    title: str
    lead: str
    coordinating: tuple[str, ...]
    scenario: str
    source: str
    output: str
    assigned_by: str
    priority: Priority = Priority.HIGH


PLANS: tuple[Plan, ...] = (
    Plan(
        "QH-01",
        "Hoàn thành lập Điều chỉnh quy hoạch thành phố thời kỳ 2021–2030, tầm nhìn đến năm 2050",
        "SO-TC",
        ("SO-XD", "SO-NNMT", "BQL-KKT"),
        "on_track",
        "Kết luận Hội nghị ngày 11/12/2025",
        "Hồ sơ quy hoạch trình Thủ tướng Chính phủ",
        "CT-UBND",
        Priority.URGENT,
    ),
    Plan(
        "QH-02",
        "Hoàn thành Quy hoạch chung thành phố Hải Phòng đến năm 2050, tầm nhìn đến năm 2075",
        "SO-XD",
        ("SO-TC", "SO-NNMT"),
        "due_week",
        "Kết luận Hội nghị ngày 11/12/2025",
        "Hồ sơ quy hoạch chung",
        "CT-UBND",
        Priority.URGENT,
    ),
    Plan(
        "KT-2026",
        "Xây dựng Kịch bản tăng trưởng kinh tế năm 2026, giao chỉ tiêu cho từng khu vực, sở, ngành",
        "SO-TC",
        ("SO-CT", "SO-NNMT", "BQL-KKT", "SO-VHTTDL"),
        "overdue",
        "Kết luận Hội nghị ngày 11/12/2025",
        "Kịch bản tăng trưởng trình UBND thành phố",
        "PCT-01",
    ),
    Plan(
        "GN-2026",
        "Xây dựng Kế hoạch giải ngân vốn đầu tư công năm 2026",
        "SO-TC",
        ("SO-XD", "BQL-KKT"),
        "due_week",
        "Kết luận Hội nghị ngày 11/12/2025",
        "Kế hoạch giải ngân",
        "PCT-01",
    ),
    Plan(
        "DTC-2026-2030",
        "Xây dựng Kế hoạch đầu tư công trung hạn giai đoạn 2026–2030",
        "SO-TC",
        ("SO-XD", "SO-NNMT", "SO-YT", "SO-GDDT"),
        "on_track",
        "Kết luận Hội nghị ngày 11/12/2025",
        "Kế hoạch đầu tư công trung hạn",
        "PCT-01",
    ),
    Plan(
        "DTC-2026",
        "Xây dựng Kế hoạch đầu tư công năm 2026",
        "SO-TC",
        ("SO-XD",),
        "late",
        "Kết luận Hội nghị ngày 11/12/2025",
        "Kế hoạch đầu tư công năm 2026",
        "PCT-01",
    ),
    Plan(
        "DA-AMNHAC",
        "Đề án xây dựng Hải Phòng trở thành thành phố Âm nhạc giai đoạn 2026–2030, "
        "định hướng đến năm 2045",
        "SO-VHTTDL",
        ("SO-TC", "SO-NV"),
        "on_track",
        "Kết luận Hội nghị ngày 11/12/2025",
        "Đề án trình UBND thành phố",
        "PCT-02",
    ),
    Plan(
        "DA-DULICH",
        "Đề án tổng thể phát triển du lịch thành phố Hải Phòng đến năm 2030, "
        "định hướng đến năm 2045",
        "SO-VHTTDL",
        ("SO-TC", "SO-CT", "DK-CATHAI"),
        "on_track",
        "Kết luận Hội nghị ngày 11/12/2025",
        "Đề án trình UBND thành phố",
        "PCT-02",
    ),
    Plan(
        "DA-THETHAO",
        "Đề án phát triển thể dục, thể thao thành phố Hải Phòng đến năm 2030, "
        "định hướng đến năm 2045",
        "SO-VHTTDL",
        ("SO-TC", "SO-GDDT"),
        "no_deadline",
        "Kết luận Hội nghị ngày 11/12/2025",
        "Đề án trình UBND thành phố",
        "PCT-02",
    ),
    Plan(
        "DA-BONGDA",
        "Đề án phát triển bóng đá thành phố Hải Phòng đến năm 2030, tầm nhìn đến năm 2045",
        "SO-VHTTDL",
        ("SO-TC", "SO-GDDT"),
        "no_deadline",
        "Kết luận Hội nghị ngày 11/12/2025",
        "Đề án trình UBND thành phố",
        "PCT-02",
    ),
    Plan(
        "DA-GIAODUC",
        "Đề án phát triển giáo dục và đào tạo thành phố Hải Phòng đến năm 2030, tầm nhìn đến "
        "năm 2045 (thực hiện Nghị quyết số 71-NQ/TW của Bộ Chính trị)",
        "SO-GDDT",
        ("SO-TC", "SO-NV"),
        "on_track",
        "Nghị quyết số 71-NQ/TW",
        "Đề án trình UBND thành phố",
        "PCT-03",
    ),
    Plan(
        "DA-YTE",
        "Đề án nâng cao năng lực hệ thống y tế thành phố Hải Phòng (thực hiện Nghị quyết "
        "số 72-NQ/TW của Bộ Chính trị)",
        "SO-YT",
        ("SO-TC", "SO-NV"),
        "escalated",
        "Nghị quyết số 72-NQ/TW",
        "Đề án trình UBND thành phố",
        "PCT-03",
    ),
    Plan(
        "PX-HB-01",
        "Rà soát, bàn giao mặt bằng các dự án chỉnh trang đô thị trên địa bàn phường",
        "P-HONGBANG",
        (),
        "overdue",
        "Văn bản chỉ đạo của UBND thành phố",
        "Báo cáo kết quả bàn giao mặt bằng",
        "PCT-01",
        Priority.NORMAL,
    ),
    Plan(
        "PX-LC-01",
        "Báo cáo kết quả vận hành chính quyền địa phương hai cấp năm 2025",
        "P-LECHAN",
        ("SO-NV",),
        "on_time",
        "Văn bản chỉ đạo của UBND thành phố",
        "Báo cáo",
        "PCT-03",
        Priority.NORMAL,
    ),
    Plan(
        "PX-DS-01",
        "Phương án phục vụ du khách dịp Tết Nguyên đán Bính Ngọ 2026",
        "P-DOSON",
        ("SO-VHTTDL",),
        "on_track",
        "Văn bản chỉ đạo của UBND thành phố",
        "Phương án",
        "PCT-02",
        Priority.NORMAL,
    ),
    Plan(
        "PX-VB-01",
        "Tổng hợp nhu cầu hỗ trợ sản xuất vụ Đông Xuân 2025–2026",
        "X-VINHBAO",
        ("SO-NNMT",),
        "due_week",
        "Văn bản chỉ đạo của UBND thành phố",
        "Báo cáo",
        "PCT-01",
        Priority.NORMAL,
    ),
    Plan(
        "DK-CH-01",
        "Đề xuất cơ chế phát triển du lịch quần đảo Cát Bà "
        "gắn với Đề án tổng thể phát triển du lịch",
        "DK-CATHAI",
        ("SO-VHTTDL", "SO-NNMT"),
        "no_deadline",
        "Kết luận Hội nghị ngày 11/12/2025",
        "Văn bản đề xuất",
        "PCT-02",
        Priority.NORMAL,
    ),
    Plan(
        "DK-BLV-01",
        "Báo cáo nhu cầu đầu tư hạ tầng dịch vụ hậu cần nghề cá năm 2026",
        "DK-BACHLONGVI",
        ("SO-NNMT", "SO-TC"),
        "escalated",
        "Văn bản chỉ đạo của UBND thành phố",
        "Báo cáo",
        "PCT-01",
        Priority.NORMAL,
    ),
)

SURNAMES = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Ngô", "Dương")
MALE = (
    ("Văn", "Đức", "Minh", "Quang", "Hữu", "Thanh", "Xuân"),
    ("Hùng", "Dũng", "Tuấn", "Nam", "Hải", "Long", "Sơn", "Thắng", "Cường", "Phong"),
)
FEMALE = (
    ("Thị", "Thu", "Ngọc", "Thanh", "Minh", "Hồng"),
    ("Hương", "Lan", "Hà", "Mai", "Trang", "Linh", "Thảo", "Huyền", "Ngân", "Yến"),
)
PROGRESS_NOTES = (
    "Đã xây dựng dự thảo, đang lấy ý kiến các sở, ngành.",
    "Đang tổng hợp ý kiến góp ý của các đơn vị phối hợp.",
    "Đã gửi Sở Tư pháp thẩm định dự thảo.",
    "Đã tổ chức họp với các đơn vị liên quan để thống nhất nội dung.",
    "Đang rà soát số liệu với các phường, xã, đặc khu.",
    "Vướng mắc về nguồn vốn, đã báo cáo xin ý kiến Sở Tài chính.",
    "Đã hoàn thiện dự thảo sau khi tiếp thu ý kiến góp ý.",
    "Đã trình dự thảo lên UBND thành phố.",
)
DONE_NOTES = (
    "Đã hoàn thành; UBND thành phố đã ban hành văn bản.",
    "Hoàn thành nhiệm vụ, gửi kèm văn bản đã ban hành.",
    "Đã trình và được UBND thành phố phê duyệt.",
)


def staff_count(unit_code: str) -> int:
    """Staff officials the demo gives a unit (besides its head): one per commune, two else."""
    return 1 if unit_code in COMMUNE_CODES else 2


def resolution_code(index: int) -> str:
    return f"NQ-{index:02d}"


UNIT_CODES = frozenset(code for code, _, _ in (*DEPARTMENTS, *COMMUNES))
OFFICIAL_CODES = frozenset(
    {code for code, _, _, _ in LEADERS}
    | {ADMIN[0]}
    | {f"{unit}-TT" for unit in UNIT_CODES}
    | {f"{unit}-CV{i}" for unit in UNIT_CODES for i in range(1, staff_count(unit) + 1)}
)
TASK_CODES = frozenset(
    {resolution_code(index) for index in range(1, len(RESOLUTIONS) + 1)}
    | {plan.code for plan in PLANS}
)
"""Every unit, official and task the demo creates, by code (what demo mode may offer)."""


@dataclass
class DemoSummary:
    units: int = 0
    officials: int = 0
    tasks: int = 0
    reports: int = 0
    extension_requests: int = 0
    explanation_requests: int = 0
    recommendations: int = 0
    by_scenario: dict[str, int] = field(default_factory=dict)


class DemoNotEmpty(Exception):
    """The database already holds units; the demo loads into an empty database only."""


async def has_units(session: AsyncSession) -> bool:
    return bool(await session.scalar(select(func.count()).select_from(Unit)))


async def load_demo(ctx: AppContext) -> DemoSummary:
    """Load the demo into an empty database (one transaction). Raises DemoNotEmpty."""
    async with ctx.db.session() as session:
        if await has_units(session):
            raise DemoNotEmpty("the database already has units; the demo needs an empty one")
        builder = _Builder(session, ctx)
        await builder.build()
        await audit.record(
            session,
            ctx,
            "demo.load",
            "database",
            via="cli",
            units=builder.summary.units,
            tasks=builder.summary.tasks,
        )
        return builder.summary


class _Builder:
    def __init__(self, session: AsyncSession, ctx: AppContext) -> None:
        self.session = session
        self.ctx = ctx
        self.today = ctx.today()
        self.calendar: WorkCalendar = ctx.calendar
        self.rng = random.Random(f"{SEED}:{self.today.isoformat()}")
        self.units: dict[str, Unit] = {}
        self.heads: dict[str, Official] = {}
        self.staff: dict[str, list[Official]] = {}
        self.leaders: dict[str, Official] = {}
        self.summary = DemoSummary()
        self.created_day = self.calendar.add_working_days(self.today, -25)
        self._used_names = {name for _, name, _, _ in (*LEADERS, ADMIN)}

    # --- people and units ---------------------------------------------------------------

    def _name(self) -> str:
        while True:
            middles, givens = MALE if self.rng.random() < 0.5 else FEMALE
            name = " ".join(
                (self.rng.choice(SURNAMES), self.rng.choice(middles), self.rng.choice(givens))
            )
            if name not in self._used_names:
                self._used_names.add(name)
                return name

    def _official(
        self, code: str, name: str, title: str, role: Role, unit: Unit | None
    ) -> Official:
        official = Official(
            code=code,
            full_name=name,
            title=title,
            role=role,
            unit=unit,
            language="vi",
            active=True,
            created_at=self.ctx.now(),
        )
        self.session.add(official)
        self.summary.officials += 1
        return official

    async def _people(self) -> None:
        now = self.ctx.now()
        for code, name, _ in (*DEPARTMENTS, *COMMUNES):
            kind = UnitKind.COMMUNE if code in COMMUNE_CODES else UnitKind.DEPARTMENT
            unit = Unit(code=code, name=name, kind=kind, created_at=now)
            self.session.add(unit)
            self.units[code] = unit
            self.summary.units += 1
        await self.session.flush()
        office = self.units["VP-UBND"]
        for code, name, title, role in LEADERS:
            self.leaders[code] = self._official(code, name, title, role, None)
        self._official(*ADMIN, office)
        for code, _, head_title in (*DEPARTMENTS, *COMMUNES):
            unit = self.units[code]
            head = self._official(f"{code}-TT", self._name(), head_title, Role.HEAD, unit)
            self.heads[code] = head
            self.staff[code] = [
                self._official(f"{code}-CV{i}", self._name(), "Chuyên viên", Role.STAFF, unit)
                for i in range(1, staff_count(code) + 1)
            ]
        await self.session.flush()
        for code, unit in self.units.items():
            unit.head_id = self.heads[code].id

    # --- dates --------------------------------------------------------------------------

    def _wd(self, offset: int) -> dt.date:
        return self.calendar.add_working_days(
            self.calendar.previous_working_day(self.today), offset
        )

    def _at(self, day: dt.date, hour: int | None = None) -> dt.datetime:
        moment = self.ctx.at_local(
            day, dt.time(hour or self.rng.randint(8, 16), self.rng.choice((0, 15, 30, 45)))
        )
        return min(moment, self.ctx.now() - dt.timedelta(minutes=5))

    def _this_week(self) -> dt.date:
        """A working day "due this week" covers (:func:`bot.services.summary.due_window`)."""
        first, last = due_window(self.today)
        days = [
            first + dt.timedelta(days=n)
            for n in range((last - first).days + 1)
            if self.calendar.is_working_day(first + dt.timedelta(days=n))
        ]
        return self.rng.choice(days) if days else self.calendar.next_working_day(self.today)

    # --- tasks --------------------------------------------------------------------------

    async def build(self) -> None:
        await self._people()
        others = [code for code, _, _ in DEPARTMENTS if code != "VP-UBND"]
        for index, ((lead, subject), scenario) in enumerate(
            zip(RESOLUTIONS, self._shuffled(RESOLUTION_SCENARIOS), strict=True), start=1
        ):
            number = 80 + index
            coordinating = tuple(
                self.rng.sample([c for c in others if c != lead], self.rng.choice((0, 1, 1, 2)))
            )
            plan = Plan(
                resolution_code(index),
                f"Tham mưu triển khai Nghị quyết số {number}/NQ-HĐND về {subject}",
                lead,
                coordinating,
                scenario,
                f"{number}/NQ-HĐND",
                self.rng.choice(RESOLUTION_OUTPUTS),
                "CT-UBND",
                Priority.HIGH,
            )
            self._task(plan)
        for plan in PLANS:
            self._task(plan)
        await self._extensions()
        await self._explanations()
        await self._advice()

    def _unit_code(self, unit_id: int) -> str:
        return next(code for code, unit in self.units.items() if unit.id == unit_id)

    def _shuffled(self, items: tuple[str, ...]) -> list[str]:
        copy = list(items)
        self.rng.shuffle(copy)
        return copy

    def _task(self, plan: Plan) -> None:
        scenario = SCENARIOS[plan.scenario]
        deadline, completed_on, progress = scenario(self)
        created_at = self._at(self.created_day, 8)
        task = Task(
            code=plan.code,
            title=plan.title,
            source_document=plan.source,
            assigned_by_id=self.leaders[plan.assigned_by].id,
            assigned_by_name=self.leaders[plan.assigned_by].full_name,
            lead_unit=self.units[plan.lead],
            leader_in_charge_id=self._leader_in_charge(plan).id,
            handler_id=self._handler(plan),
            coordinating_units=[self.units[c] for c in plan.coordinating],
            deadline=deadline,
            original_deadline=deadline,
            expected_output=plan.output,
            priority=plan.priority,
            progress=0,
            created_at=created_at,
            updated_at=created_at,
        )
        self.session.add(task)
        self._reports(task, plan, progress, completed_on)
        self.summary.tasks += 1
        self.summary.by_scenario[plan.scenario] = self.summary.by_scenario.get(plan.scenario, 0) + 1

    def _leader_in_charge(self, plan: Plan) -> Official:
        """The Phó Chủ tịch who assigned the task, else the one in charge of its field."""
        if plan.assigned_by.startswith("PCT-"):
            return self.leaders[plan.assigned_by]
        return self.leaders[FIELD_LEADERS.get(plan.lead, "PCT-01")]

    def _handler(self, plan: Plan) -> int | None:
        """A staff member of the lead unit, taking turns; every HANDLER_GAP-th task none."""
        number = self.summary.tasks + 1
        if number % HANDLER_GAP == 0:
            return None
        staff = self.staff[plan.lead]
        return staff[number % len(staff)].id

    def _reports(self, task: Task, plan: Plan, progress: int, completed_on: dt.date | None) -> None:
        """A few reports with rising progress on working days after the task was created;
        escalated tasks fall silent (no report for more than a week)."""
        last_day = completed_on or self.calendar.add_working_days(
            self.today, -8 if plan.scenario == "escalated" else -1
        )
        if progress == 0 or last_day <= self.created_day:
            return
        steps = self.rng.randint(1, 3)
        values = sorted({max(10, progress * (i + 1) // steps // 5 * 5) for i in range(steps)})
        values[-1] = progress
        span = self.calendar.working_days_between(self.created_day, last_day)
        offsets = sorted(self.rng.sample(range(1, span + 1), min(len(values), span)))
        days = [self.calendar.add_working_days(self.created_day, o) for o in offsets]
        days[-1] = last_day
        values = values[-len(days) :]
        author = self.rng.choice(self.staff[plan.lead])
        channel = self.rng.choice(("telegram", "telegram", "zalo"))
        for day, value in zip(days, values, strict=True):
            final = completed_on is not None and value == 100
            at = self._at(day, 15 if final else None)
            self.session.add(
                Report(
                    task=task,
                    official_id=(self.heads[plan.lead] if final else author).id,
                    kind=ReportKind.DONE if final else ReportKind.PROGRESS,
                    progress=value,
                    note=self.rng.choice(DONE_NOTES if final else PROGRESS_NOTES),
                    channel=channel,
                    created_at=at,
                )
            )
            self.summary.reports += 1
            task.progress = value
            task.last_report_at = at
            task.updated_at = at
            if final:
                task.completed_at = at
                task.completed_on = self.ctx.local_date(at)

    async def _extensions(self) -> None:
        """Two pending requests (an overdue task, a task due this week) and one approved."""
        tasks = {
            t.code: t
            for t in await self.session.scalars(select(Task).where(Task.completed_at.is_(None)))
        }
        now = self.ctx.now()
        for code, days, reason in (
            ("KT-2026", 10, "Chờ số liệu ước thực hiện năm 2025 của các sở, ngành và địa phương."),
            ("GN-2026", 8, "Cần thêm thời gian rà soát danh mục dự án với các chủ đầu tư."),
        ):
            task = tasks[code]
            assert task.deadline is not None
            self.session.add(
                ExtensionRequest(
                    task_id=task.id,
                    requested_by_id=self.heads[self._unit_code(task.lead_unit_id)].id,
                    old_deadline=task.deadline,
                    new_deadline=max(task.deadline, self.today) + dt.timedelta(days=days),
                    reason=reason,
                    status=ExtensionStatus.PENDING,
                    requested_at=now - dt.timedelta(days=1),
                )
            )
            self.summary.extension_requests += 1
        task = tasks["DTC-2026-2030"]
        assert task.deadline is not None
        old = self.calendar.add_working_days(task.deadline, -10)
        request = ExtensionRequest(
            task_id=task.id,
            requested_by_id=self.heads["SO-TC"].id,
            old_deadline=old,
            new_deadline=task.deadline,
            reason="Chờ Trung ương thông báo dự kiến kế hoạch vốn trung hạn.",
            status=ExtensionStatus.APPROVED,
            requested_at=self._at(self.calendar.add_working_days(self.today, -6)),
            decided_by_id=self.leaders["PCT-01"].id,
            decided_at=self._at(self.calendar.add_working_days(self.today, -5)),
            decision_note="Đồng ý gia hạn.",
        )
        self.session.add(request)
        await self.session.flush()
        task.original_deadline = old
        self.session.add(
            DeadlineChange(
                task_id=task.id,
                old_deadline=old,
                new_deadline=task.deadline,
                reason=request.reason,
                extension_request_id=request.id,
                changed_by_id=self.leaders["PCT-01"].id,
                changed_at=request.decided_at or now,
            )
        )
        self.summary.extension_requests += 1

    async def _explanations(self) -> None:
        """On the three most overdue open tasks: an open request within its date (asked by a
        Phó Chủ tịch), an open one past its date (asked by the office) and an answered one."""
        overdue = list(
            await self.session.scalars(
                select(Task)
                .where(Task.completed_at.is_(None), Task.deadline < self.today)
                .order_by(Task.deadline, Task.code)
                .limit(3)
            )
        )
        office = await self.session.scalar(select(Official).where(Official.code == ADMIN[0]))
        assert office is not None
        plans = (
            (self.leaders["PCT-01"], -2, 2, None),
            (office, -6, -2, None),
            (self.leaders["PCT-02"], -7, -3, -4),
        )
        for task, (asker, asked, due, answered) in zip(overdue, plans, strict=False):
            head = self.heads[self._unit_code(task.lead_unit_id)]
            answered_at = (
                self._at(self.calendar.add_working_days(self.today, answered), 16)
                if answered is not None
                else None
            )
            self.session.add(
                ExplanationRequest(
                    task_id=task.id,
                    unit_id=task.lead_unit_id,
                    requested_by_id=asker.id,
                    due_date=self.calendar.add_working_days(self.today, due),
                    text="Đề nghị giải trình lý do chậm tiến độ và đề xuất giải pháp khắc phục.",
                    created_at=self._at(self.calendar.add_working_days(self.today, asked), 9),
                    answered_at=answered_at,
                    answered_on=self.ctx.local_date(answered_at) if answered_at else None,
                    answered_by_id=head.id if answered_at else None,
                    answer=EXPLANATION_ANSWER if answered_at else "",
                )
            )
            self.summary.explanation_requests += 1

    async def _advice(self) -> None:
        """With the latest report of the two open resolutions reported most recently: a
        recommendation awaiting its leader's direction, and one answered with a direction."""
        tasks = list(
            await self.session.scalars(
                select(Task)
                .where(
                    Task.completed_at.is_(None),
                    Task.last_report_at.is_not(None),
                    Task.code.like("NQ-%"),
                )
                .order_by(Task.last_report_at.desc(), Task.code)
                .limit(2)
            )
        )
        for task, (text, direction) in zip(tasks, RECOMMENDATIONS, strict=False):
            report = await self.session.scalar(
                select(Report)
                .where(Report.task_id == task.id)
                .order_by(Report.created_at.desc(), Report.id.desc())
                .limit(1)
            )
            assert report is not None and report.official_id is not None
            raised_at = report.created_at
            recommendation = Recommendation(
                task_id=task.id,
                report_id=report.id,
                raised_by_id=report.official_id,
                text=text,
                created_at=raised_at,
            )
            self.session.add(recommendation)
            self.summary.recommendations += 1
            if direction is None:
                continue
            await self.session.flush()
            answered_at = min(raised_at + dt.timedelta(hours=3), self.ctx.now())
            recommendation.answered_at = answered_at
            self.session.add(
                Direction(
                    task_id=task.id,
                    recommendation_id=recommendation.id,
                    leader_id=self._leader_in_charge_of(task).id,
                    text=direction,
                    created_at=answered_at,
                )
            )

    def _leader_in_charge_of(self, task: Task) -> Official:
        return next(
            leader for leader in self.leaders.values() if leader.id == task.leader_in_charge_id
        )


RECOMMENDATIONS = (
    (
        "Đề nghị UBND thành phố bổ sung kinh phí tổ chức lấy ý kiến các sở, ngành và địa "
        "phương trong quý I/2026.",
        None,
    ),
    (
        "Đề nghị giao Sở Tài chính hướng dẫn nguồn vốn đối ứng trước khi trình HĐND.",
        "Đồng ý. Giao Sở Tài chính hướng dẫn nguồn vốn đối ứng trong tuần này, báo cáo kết quả "
        "trước ngày trình HĐND.",
    ),
)
"""A recommendation and, when not None, the direction that answers it."""

EXPLANATION_ANSWER = (
    "Đơn vị chậm do chờ ý kiến thẩm định của các sở, ngành; đã hoàn thiện hồ sơ, cam kết trình "
    "trong tuần tới."
)

Scenario = Callable[[_Builder], tuple[dt.date | None, dt.date | None, int]]
"""Returns (deadline, completion date, progress)."""


def _on_time(b: _Builder) -> tuple[dt.date | None, dt.date | None, int]:
    deadline = b._wd(b.rng.randint(-12, 6))
    latest = min(deadline, b._wd(-1))
    done = b.calendar.add_working_days(latest, -b.rng.randint(0, 3))
    return deadline, max(done, b.calendar.add_working_days(b.created_day, 3)), 100


def _late(b: _Builder) -> tuple[dt.date | None, dt.date | None, int]:
    deadline = b._wd(-b.rng.randint(7, 14))
    done = b.calendar.add_working_days(deadline, b.rng.randint(1, 4))
    return deadline, done, 100


def _due_week(b: _Builder) -> tuple[dt.date | None, dt.date | None, int]:
    return b._this_week(), None, b.rng.choice((50, 60, 75, 80, 90))


def _overdue(b: _Builder) -> tuple[dt.date | None, dt.date | None, int]:
    deadline = b.calendar.add_working_days(b.today, -b.rng.randint(1, 4))
    return deadline, None, b.rng.choice((30, 40, 50, 70))


def _escalated(b: _Builder) -> tuple[dt.date | None, dt.date | None, int]:
    deadline = b.calendar.add_working_days(b.today, -b.rng.randint(6, 12))
    return deadline, None, b.rng.choice((0, 10, 20, 40))


def _on_track(b: _Builder) -> tuple[dt.date | None, dt.date | None, int]:
    deadline = b.calendar.add_working_days(b.today, b.rng.randint(8, 45))
    return deadline, None, b.rng.choice((0, 20, 25, 40, 60))


def _no_deadline(b: _Builder) -> tuple[dt.date | None, dt.date | None, int]:
    return None, None, b.rng.choice((0, 15, 30))


SCENARIOS: dict[str, Scenario] = {
    "on_time": _on_time,
    "late": _late,
    "due_week": _due_week,
    "overdue": _overdue,
    "escalated": _escalated,
    "on_track": _on_track,
    "no_deadline": _no_deadline,
}
