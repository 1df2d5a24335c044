"""The model overview: noise z → G → generated samples → D ← real samples, and the two losses.

The network being updated right now lights up (the worker reports which one changed since the
previous frame; in slow motion the two halves of an iteration are shown apart). The current
objective's formulas sit under the diagram. Painted with QPainter: a few boxes and arrows.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QLabel, QSizePolicy, QVBoxLayout, QWidget

from ganlab.app import theme
from ganlab.core.objectives import OBJECTIVES

PHASE_TEXT = {
    "idle": "paused",
    "discriminator": "updating D (critic steps)",
    "generator": "updating G",
    "both": "updating D and G in turn",
}


def phase_text(phase: str, has_discriminator: bool) -> str:
    """What the caption under the boxes says: an objective without D only ever updates G."""
    if not has_discriminator and phase in ("discriminator", "both"):
        return "updating G (no discriminator)"
    return PHASE_TEXT.get(phase, "")


class DiagramCanvas(QWidget):
    """The boxes and arrows."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setMinimumSize(240, 130)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.phase = "idle"
        self.has_discriminator = True
        self.critic_steps = 1
        self.generator_steps = 1

    def caption(self) -> str:
        return phase_text(self.phase, self.has_discriminator)

    def paintEvent(self, event):  # Qt's name
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        width, height = self.width(), self.height()
        labels = {"z": "z", "G": f"G ×{self.generator_steps}", "fake": "G(z)",
                  "real": "x (data)",
                  "D": f"D ×{self.critic_steps}" if self.has_discriminator else "no D"}
        margin, min_gap = 6.0, 14.0
        font = QFont(self.font())
        font.setBold(True)
        for size in range(theme.BASE_POINT_SIZE, 6, -1):  # the largest font that fits
            font.setPointSize(size)
            painter.setFont(font)
            metrics = painter.fontMetrics()
            widths = {key: metrics.horizontalAdvance(text) + 1.4 * metrics.height()
                      for key, text in labels.items()}
            row_width = widths["z"] + widths["G"] + widths["fake"] + widths["D"]
            if row_width + 3 * min_gap + 2 * margin <= width:
                break
        box_height = metrics.height() * 2.0
        gap = max(min_gap, (width - 2 * margin - row_width) / 3)
        top = margin + 4
        bottom = min(height - box_height - metrics.height() * 1.6, top + box_height * 1.9)
        x = margin
        boxes = {}
        for key in ("z", "G", "fake"):
            boxes[key] = QRectF(x, top, widths[key], box_height)
            x += widths[key] + gap
        boxes["real"] = QRectF(boxes["fake"].right() - widths["real"], bottom, widths["real"],
                               box_height)
        boxes["D"] = QRectF(width - margin - widths["D"], (top + bottom) / 2, widths["D"],
                            box_height)
        lit_g = self.phase in ("generator", "both")
        lit_d = self.phase in ("discriminator", "both") and self.has_discriminator
        self._box(painter, boxes["z"], labels["z"], theme.MUTED, False)
        self._box(painter, boxes["G"], labels["G"], theme.GENERATOR, lit_g, network=True)
        self._box(painter, boxes["fake"], labels["fake"], theme.GENERATED, False)
        self._box(painter, boxes["real"], labels["real"], theme.REAL, False)
        self._box(painter, boxes["D"], labels["D"], theme.DISCRIMINATOR, lit_d, network=True,
                  enabled=self.has_discriminator)
        arrow = QPen(QColor(theme.NEUTRAL_TEXT), 1.6)
        self._arrow(painter, arrow, boxes["z"], boxes["G"])
        self._arrow(painter, arrow, boxes["G"], boxes["fake"])
        self._arrow(painter, arrow, boxes["fake"], boxes["D"])
        self._arrow(painter, arrow, boxes["real"], boxes["D"])
        font.setBold(False)
        painter.setFont(font)
        painter.setPen(QColor(theme.NEUTRAL_TEXT))
        status = self.caption()
        painter.drawText(QRectF(margin, bottom + box_height + 2, width - 2 * margin,
                                metrics.height() * 1.4),
                         Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, status)
        painter.end()

    @staticmethod
    def _box(painter, rect, text, colour, lit, network=False, enabled=True):
        base = QColor(colour)
        fill = QColor(base)
        fill.setAlpha(230 if lit else (60 if network and enabled else 25))
        border = QPen(base if enabled else QColor(theme.MUTED), 3.0 if lit else 1.4)
        if not enabled:
            border.setStyle(Qt.PenStyle.DashLine)
        painter.setPen(border)
        painter.setBrush(fill)
        painter.drawRoundedRect(rect, 8, 8)
        painter.setPen(QColor("#111111") if lit else QColor(theme.NEUTRAL_TEXT))
        painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)

    @staticmethod
    def _arrow(painter, pen, source: QRectF, target: QRectF):
        start = QPointF(source.right(), source.center().y())
        end = QPointF(target.left(), target.center().y())
        painter.setPen(pen)
        path = QPainterPath(start)
        middle_x = (start.x() + end.x()) / 2
        path.cubicTo(QPointF(middle_x, start.y()), QPointF(middle_x, end.y()), end)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPath(path)
        head = 7.0
        painter.setBrush(pen.color())
        painter.drawPolygon([end, QPointF(end.x() - head, end.y() - head / 2),
                             QPointF(end.x() - head, end.y() + head / 2)])


class ModelDiagram(QWidget):
    """The diagram plus the objective's name, summary and formulas."""

    def __init__(self, parent=None):
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        self.canvas = DiagramCanvas()
        self.formulas = QLabel()
        self.formulas.setWordWrap(True)
        self.formulas.setTextFormat(Qt.TextFormat.RichText)
        self.canvas.setMaximumHeight(170)
        layout.addWidget(self.canvas)
        layout.addWidget(self.formulas)
        layout.addStretch(1)
        self._objective = None

    def set_objective(self, name: str, critic_steps: int, generator_steps: int) -> None:
        objective = OBJECTIVES[name]
        shown = (objective.needs_discriminator, critic_steps, generator_steps)
        canvas = self.canvas
        if shown != (canvas.has_discriminator, canvas.critic_steps, canvas.generator_steps):
            canvas.has_discriminator, canvas.critic_steps, canvas.generator_steps = shown
            canvas.update()
        if name != self._objective:
            self._objective = name
            self.formulas.setText(
                f"<b>{name}</b>: {objective.summary}<br>"
                f"<span style='color:{theme.DISCRIMINATOR}'>{objective.discriminator_formula}"
                f"</span><br><span style='color:{theme.GENERATOR}'>"
                f"{objective.generator_formula}</span>"
            )

    def set_phase(self, phase: str) -> None:
        if phase != self.canvas.phase:
            self.canvas.phase = phase
            self.canvas.update()

    @property
    def phase(self) -> str:
        return self.canvas.phase
