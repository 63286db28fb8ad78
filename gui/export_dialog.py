"""The PNG export's size question: width and height, a 16:9 slide by default."""

from __future__ import annotations

from PyQt6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QSpinBox, QWidget

from .loss_export import EXPORT_SIZE, SIZE_RANGE


class ExportSizeDialog(QDialog):
    """Width and height in pixels of the picture to export (default ``EXPORT_SIZE``)."""

    def __init__(self, parent: QWidget | None = None,
                 size: tuple[int, int] = EXPORT_SIZE) -> None:
        super().__init__(parent)
        self.setWindowTitle("PNG size")
        self.width_box, self.height_box = QSpinBox(), QSpinBox()
        for box, value in ((self.width_box, size[0]), (self.height_box, size[1])):
            box.setRange(*SIZE_RANGE)
            box.setValue(value)
            box.setSuffix(" px")
        form = QFormLayout(self)
        form.addRow("Width:", self.width_box)
        form.addRow("Height:", self.height_box)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def chosen_size(self) -> tuple[int, int]:
        """(width, height) as set in the boxes."""
        return self.width_box.value(), self.height_box.value()


def ask_png_size(parent: QWidget | None, size: tuple[int, int] = EXPORT_SIZE
                 ) -> tuple[int, int] | None:
    """Ask for a width and a height; None when cancelled."""
    dlg = ExportSizeDialog(parent, size)
    try:
        return dlg.chosen_size() if dlg.exec() == QDialog.DialogCode.Accepted else None
    finally:
        dlg.deleteLater()
