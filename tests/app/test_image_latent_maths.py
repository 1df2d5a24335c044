"""Latent maths in the image view, driven through its real widgets: the slerp toggle, picking
interpolation ends and the terms of a − b + c, the class a conditional run draws them in, and
what the row under the grids shows."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt

from ganlab.app.views.image_grid_view import ImageGridView
from ganlab.app.views.image_latent_controls import SLERP_TIP
from ganlab.app.views.image_latent_picks import LatentPicks
from tests.app.test_image_views import click_tile, image_frame


@pytest.fixture
def view(qtbot):
    widget = ImageGridView()
    qtbot.addWidget(widget)
    widget.resize(900, 700)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def ctrl_click(qtbot, view, index):
    from PySide6.QtCore import QPoint

    point = view.graphics.mapFromScene(view.generated.tile_scene_centre(index))
    qtbot.mouseClick(view.graphics.viewport(), Qt.MouseButton.LeftButton,
                     Qt.KeyboardModifier.ControlModifier, QPoint(point.x(), point.y()))


def test_the_slerp_toggle_resends_the_picked_ends_as_a_spherical_path(qtbot, view):
    run = image_frame(n=16)
    view.show_run(run)
    assert "shell" in view.controls.slerp.toolTip() and view.controls.slerp.toolTip() == SLERP_TIP
    click_tile(qtbot, view, 3, shift=True)
    with qtbot.waitSignal(view.latent_request_chosen, timeout=1000) as straight:
        click_tile(qtbot, view, 9, shift=True)
    assert straight.args[0].spherical is False
    with qtbot.waitSignal(view.latent_request_chosen, timeout=1000) as curved:
        qtbot.mouseClick(view.controls.slerp, Qt.MouseButton.LeftButton)
    request = curved.args[0]
    assert request.spherical is True
    np.testing.assert_array_equal(request.start, run.snapshot.latent[3])
    np.testing.assert_array_equal(request.end, run.snapshot.latent[9])
    view.show_run(image_frame(n=16, steps=10))
    assert view.path_caption.text == "A → B, slerp"


def test_the_s_key_toggles_slerp_while_the_view_has_the_focus(qtbot, view):
    view.show_run(image_frame(n=16))
    view.setFocus()
    qtbot.waitUntil(view.hasFocus, timeout=1000)
    qtbot.keyClick(view, Qt.Key.Key_S)
    assert view.controls.slerp.isChecked()
    qtbot.keyClick(view, Qt.Key.Key_A)
    assert view.controls.arithmetic.isChecked()
    qtbot.keyClick(view, Qt.Key.Key_E)  # one pick mode at a time
    assert view.pick_ends.isChecked() and not view.controls.arithmetic.isChecked()


def test_a_conditional_path_is_drawn_in_the_class_of_the_first_end(qtbot, view):
    run = image_frame(n=40, classes=5)  # 5 rows of 8: tile 19 is in row 2, tile 33 in row 4
    run.snapshot.class_names = ("cat", "dog", "eel", "fox", "gnu")
    view.show_run(run)
    view.pick_ends.setChecked(True)
    click_tile(qtbot, view, 19)
    with qtbot.waitSignal(view.latent_request_chosen, timeout=1000) as signal:
        click_tile(qtbot, view, 33)
    assert signal.args[0].label == 2
    view.show_run(image_frame(n=40, classes=5, steps=10))
    assert view.path_caption.text == "A → B, straight, class 2"  # this frame names no classes
    run = image_frame(n=40, classes=5, steps=10)
    run.snapshot.class_names = ("cat", "dog", "eel", "fox", "gnu")
    view.show_run(run)
    assert view.path_caption.text == "A → B, straight, class eel"


def test_ctrl_clicking_three_images_asks_for_a_minus_b_plus_c(qtbot, view):
    run = image_frame(n=40, classes=5)
    view.show_run(run)
    ctrl_click(qtbot, view, 1)
    ctrl_click(qtbot, view, 12)
    assert view.terms == (1, 12) and view.generated.outlined("b") == 12
    with qtbot.waitSignal(view.latent_request_chosen, timeout=1000) as signal:
        ctrl_click(qtbot, view, 30)
    request = signal.args[0]
    assert request.start is None  # no ends picked: no path
    latent = run.snapshot.latent
    np.testing.assert_array_equal(request.arithmetic.a, latent[1])
    np.testing.assert_array_equal(request.arithmetic.b, latent[12])
    np.testing.assert_array_equal(request.arithmetic.c, latent[30])
    assert request.arithmetic.labels == (0, 1, 3)
    images = np.random.default_rng(5).random((4, 1, 16, 16), dtype=np.float32)
    answer = image_frame(n=40, classes=5)
    answer.arithmetic_images = images
    view.show_run(answer)
    assert view.arithmetic.layout.count == 4
    assert view.arithmetic_caption.text == "G(z_a − z_b + z_c), class 3"
    assert view.arithmetic.outlined("term 3") == 3
    x, y, w, h = view.arithmetic.layout.rect(3)
    scale = view.arithmetic.layout.scale
    shown = view.arithmetic.image_item.image[y:y + h:scale, x:x + w:scale, 0]
    np.testing.assert_array_equal(shown, np.floor(images[3, 0] * 255 + 0.5).astype(np.uint8))


def test_the_arithmetic_button_makes_plain_clicks_pick_terms(qtbot, view):
    view.show_run(image_frame(n=16))
    qtbot.mouseClick(view.controls.arithmetic, Qt.MouseButton.LeftButton)
    for index in (4, 5):
        click_tile(qtbot, view, index)
    assert view.terms == (4, 5) and view.selected is None
    qtbot.mouseClick(view.controls.arithmetic, Qt.MouseButton.LeftButton)
    click_tile(qtbot, view, 6)
    assert view.selected == 6 and view.terms == (4, 5)


def test_picks_make_one_request_with_the_path_and_the_sum():
    picks = LatentPicks()
    latent = np.arange(12.0).reshape(6, 2)
    assert picks.request(latent, None) is None
    assert not picks.pick_end(1) and not picks.pick_end(1)  # the same tile twice: still one
    assert picks.pick_end(4)
    for index in (0, 0, 5):
        done = picks.pick_term(index)
    assert done
    request = picks.request(latent, np.array([7, 7, 8, 8, 9, 9]))
    np.testing.assert_array_equal(request.start, latent[1])
    assert request.label == 7 and request.arithmetic.labels == (7, 7, 9)
    picks.forget_beyond(5)  # tile 5 is gone: the terms go, the ends stay
    assert picks.terms == [] and picks.ends == [1, 4]


def test_a_small_view_names_fewer_rows_and_hides_labels_that_would_overlap(qtbot, view):
    run = image_frame(n=80, classes=10)
    view.show_run(run)
    view.choose_end(0)
    qtbot.waitUntil(lambda: view.generated.on_screen_cell()[1] > 0, timeout=2000)
    ticks = view.generated_plot.getAxis("left")._tickLevels[0]
    assert len(ticks) == 10 and view.generated.labels_fit()
    label = view.generated._outlines["A"][1]
    assert label.isVisible()
    view.resize(420, 300)
    qtbot.waitUntil(lambda: len(view.generated_plot.getAxis("left")._tickLevels[0]) < 10,
                    timeout=2000)
    ticks = view.generated_plot.getAxis("left")._tickLevels[0]
    row_px = view.generated.on_screen_cell()[1]
    spacing = (ticks[1][0] - ticks[0][0]) / view.generated.layout.cell_height * row_px
    assert spacing >= 1.3 * 11  # names at least a line of text apart
    assert ticks[0][1] == "0"
    assert not view.generated.labels_fit() and not label.isVisible()
    assert view.generated._outlines["A"][0].isVisible()  # the rectangle still marks A


def test_a_caption_wider_than_its_column_is_cut_not_run_into_its_neighbour(qtbot, view):
    view.show_run(image_frame(n=40, classes=5, steps=10))
    caption = view.path_caption
    caption.setText("A → B, slerp, class " + "a very long class name " * 6)
    qtbot.waitUntil(lambda: caption.shown.endswith("…"), timeout=2000)
    assert caption.text.endswith("name ")  # the full text is kept
    assert caption.item.boundingRect().width() <= caption.size().width() + 1
    view.resize(1800, 700)
    caption.setText("A → B, slerp")
    qtbot.waitUntil(lambda: caption.shown == "A → B, slerp", timeout=2000)


def test_a_short_view_shows_the_grids_only_until_there_is_room(qtbot, view):
    view.show_run(image_frame(n=40, classes=5, steps=10))
    assert view.details_layout.isVisible()
    view.resize(600, 320)
    qtbot.waitUntil(lambda: not view.details_layout.isVisible(), timeout=2000)
    assert view.controls.isVisible()  # the bar with slerp and the pick modes stays
    view.resize(900, 700)
    qtbot.waitUntil(view.details_layout.isVisible, timeout=2000)
