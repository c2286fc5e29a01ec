"""Pixels copied between framebuffers as they are: no blending, no filtering."""

from OpenGL import GL as gl


def copy_pixels(source, target, source_box: tuple, target_box: tuple, depth: bool = False) -> None:
    """target[target_box] = source[source_box], boxes (x0, y0, x1, y1) of one size; colour, and depth if asked.

    The scissor, which a copy obeys, is turned off: whoever draws next sets their own.
    """
    gl.glDisable(gl.GL_SCISSOR_TEST)
    gl.glBindFramebuffer(gl.GL_READ_FRAMEBUFFER, source.glo)
    gl.glBindFramebuffer(gl.GL_DRAW_FRAMEBUFFER, target.glo)
    bits = gl.GL_COLOR_BUFFER_BIT | (gl.GL_DEPTH_BUFFER_BIT if depth else 0)
    gl.glBlitFramebuffer(*source_box, *target_box, bits, gl.GL_NEAREST)
