"""Vietnamese names of statuses and transitions (translated through Babel where shown)."""
from app.core.i18n import N_

STATUS_LABELS = {"poor": N_("Hộ nghèo"), "near_poor": N_("Hộ cận nghèo"),
                 "middle": N_("Mức sống trung bình"), "not_poor": N_("Không nghèo"),
                 "newly_escaped": N_("Mới thoát nghèo"), "sustainable_exit": N_("Thoát nghèo bền vững")}
TRANSITION_LABELS = {"escaped": N_("Thoát nghèo"), "escaped_near": N_("Thoát cận nghèo"),
                     "relapsed": N_("Tái nghèo"), "newly_poor": N_("Nghèo phát sinh"),
                     "near_relapsed": N_("Tái cận nghèo"), "newly_near": N_("Cận nghèo phát sinh")}
