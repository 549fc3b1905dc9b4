package io.latentflow.core.optim;

/** Which curvature a {@link SaddleFreeHessianFree} step uses and how it solves for the step. */
public enum CurvatureMethod {
    /**
     * The saddle-free Newton step -(H^2 + lambda^2 I)^(-1/2) g, by multi-shift conjugate gradients
     * on H^2: negative curvature repels instead of attracting.
     */
    SADDLE_FREE,
    /**
     * Classical Newton: conjugate gradients on (H + lambda I) d = -g, through negative curvature,
     * towards the stationary point of the quadratic model, which near a saddle is the saddle.
     */
    NEWTON,
    /** Martens' Hessian-free: conjugate gradients on (G + lambda I) d = -g, G the Gauss-Newton. */
    GAUSS_NEWTON
}
