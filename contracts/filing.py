"""Commands and events of the filing service: projects and hot works.

Field names follow the guide (sections 2.1 to 2.3 and 3.2). Drafts may leave
fields empty; a part is complete when every required field is present.
"""

from datetime import date
from enum import StrEnum
from typing import Annotated

from pydantic import Field, StringConstraints, field_validator

from contracts.base import Contract
from contracts.values import (
    Coordinates,
    CreditCode,
    DistrictCode,
    IdNumber,
    LongText,
    Mobile,
    Moment,
    Name,
    Sha256,
    Text,
)

SCHEMA_VERSION = 1


class ProjectType(StrEnum):
    RENOVATION = "renovation"  # 改建（扩建、内装修）
    NEW = "new"  # 新建


class PermitType(StrEnum):
    CONSTRUCTION_PERMIT = "construction_permit"  # 施工许可证
    OTHER_PERMIT = "other_permit"  # 其他许可证
    BELOW_QUOTA = "below_quota_registration"  # 限额以下信息登记表
    NONE = "none"  # 无许可证


class HotWorkMethod(StrEnum):
    ELECTRIC_WELDING = "electric_welding"  # 电焊
    GAS_WELDING = "gas_welding"  # 气焊
    CUTTING = "cutting"  # 切割
    BLOWTORCH = "blowtorch"  # 喷灯
    GRINDING = "grinding"  # 打磨
    GRINDING_WHEEL = "grinding_wheel"  # 砂轮
    ELECTRIC_DRILL = "electric_drill"  # 电钻
    OTHER = "other"  # 其他


# Methods for which the guide requires a special operation certificate.
CERTIFIED_METHODS = frozenset(
    {HotWorkMethod.ELECTRIC_WELDING, HotWorkMethod.GAS_WELDING, HotWorkMethod.CUTTING}
)


class HotWorkPhotoKind(StrEnum):
    CERTIFICATE = "certificate"  # 特种作业操作证
    GROUP = "group"  # 认证合照
    PERMIT = "permit"  # 动火许可证


class ReportPhotoKind(StrEnum):
    SITE = "site"  # 现场监护照片
    AFTER_WORK = "after_work"  # 动火结束后照片
    SIGNED_PERMIT = "signed_permit"  # 《动火许可证》签字照片


PermitNumber = Annotated[str, StringConstraints(min_length=1, max_length=40)]


class ProjectFields(Contract):
    """The project part (工程信息). Every field may be left for later."""

    project_type: ProjectType | None = None
    permit_type: PermitType | None = None
    permit_number: PermitNumber | None = None
    construction_unit: Text | None = None
    construction_unit_credit_code: CreditCode | None = None
    industry_authority: Text | None = None
    project_name: Text | None = None
    contractor: Text | None = None
    district: DistrictCode | None = None
    address: Text | None = None
    coordinates: Coordinates | None = None
    scale: Text | None = None
    issuing_authority: Text | None = None


class DraftProject(ProjectFields):
    """Start a filing with its project part (POST /projects)."""

    project_type: ProjectType
    permit_type: PermitType


class AmendProject(ProjectFields):
    """Change fields of the project part; absent fields stay as they are."""


# The category a welding or cutting worker's certificate must name.
WELDING_CATEGORY = "焊接与热切割作业"


class Certificate(Contract):
    """What a special operation certificate says (特种作业操作证)."""

    number: IdNumber | None = None
    name: Name | None = None
    sex: Annotated[str, StringConstraints(pattern="^[男女]$")] | None = None
    category: Text | None = None
    operation: Text | None = None
    first_issued: date | None = None
    valid_from: date | None = None
    valid_to: date | None = None
    issuer: Text | None = None

    @field_validator("valid_to")
    @classmethod
    def _valid_forward(cls, valid_to, info):
        valid_from = info.data.get("valid_from")
        if valid_from and valid_to and valid_to < valid_from:
            raise ValueError("must not be before valid_from")
        return valid_to


class HotWorkFields(Contract):
    """The hot-work part (动火信息)."""

    location: Text | None = None
    worker_name: Name | None = None
    worker_mobile: Mobile | None = None
    start_at: Moment | None = None
    end_at: Moment | None = None
    methods: tuple[HotWorkMethod, ...] | None = Field(default=None, min_length=1)
    other_method: Text | None = None
    certificate: Certificate | None = None

    @field_validator("methods")
    @classmethod
    def _each_method_once(cls, methods):
        if methods is not None and len(set(methods)) != len(methods):
            raise ValueError("names a method twice")
        return methods

    @field_validator("end_at")
    @classmethod
    def _window_is_forward(cls, end_at, info):
        start_at = info.data.get("start_at")
        if start_at and end_at and end_at <= start_at:
            raise ValueError("end_at must be after start_at")
        return end_at


class DraftHotWork(HotWorkFields):
    """Add a hot work to a project (POST /projects/{id}/hot-works)."""


class AmendHotWork(HotWorkFields):
    """Change fields of the hot-work part; absent fields stay as they are."""


class FireWatch(Contract):
    """The fire-watch part (监护人). Filing it completes the filing."""

    name: Name
    mobile: Mobile


class SupervisionReport(Contract):
    """The supervision report (监护报备) after the work."""

    description: LongText
    site_photo: Sha256
    after_work_photo: Sha256
    signed_permit_photo: Sha256


class AmendSupervisionReport(Contract):
    description: LongText | None = None
    site_photo: Sha256 | None = None
    after_work_photo: Sha256 | None = None
    signed_permit_photo: Sha256 | None = None


class LinkCamera(Contract):
    """Link one of the company's registered cameras to a hot work (4.3)."""

    device_id: Annotated[str, StringConstraints(min_length=1, max_length=64)]


class PhotoRef(Contract):
    sha256: Sha256
    content_type: str
    size: int


# Event types, past tense. Payloads are the contract models above, dumped.
class EventType(StrEnum):
    PROJECT_DRAFTED = "project.drafted"
    PROJECT_AMENDED = "project.amended"
    PERMIT_PHOTO_ATTACHED = "project.permit_photo_attached"
    PROJECT_HOT_WORK_ADDED = "project.hot_work_added"
    PROJECT_HOT_WORK_REMOVED = "project.hot_work_removed"
    PROJECT_DELETED = "project.deleted"
    HOT_WORK_DRAFTED = "hot_work.drafted"
    HOT_WORK_AMENDED = "hot_work.amended"
    HOT_WORK_PHOTO_ATTACHED = "hot_work.photo_attached"
    FIRE_WATCH_FILED = "hot_work.fire_watch_filed"
    HOT_WORK_DELETED = "hot_work.deleted"
    CAMERA_LINKED = "hot_work.camera_linked"
    CAMERA_UNLINKED = "hot_work.camera_unlinked"
    REPORT_FILED = "hot_work.supervision_report_filed"
    REPORT_AMENDED = "hot_work.supervision_report_amended"
    REPORT_WITHDRAWN = "hot_work.supervision_report_withdrawn"
    PERMIT_RECOGNISED = "project.permit_recognised"
    PERMIT_UNREADABLE = "project.permit_unreadable"
    CERTIFICATE_RECOGNISED = "hot_work.certificate_recognised"
    CERTIFICATE_UNREADABLE = "hot_work.certificate_unreadable"
