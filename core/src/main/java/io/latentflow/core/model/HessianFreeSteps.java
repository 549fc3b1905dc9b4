package io.latentflow.core.model;

import io.latentflow.core.optim.HessianFreeStep;

/**
 * What the two Hessian-free steps of one {@link AdversarialModel#trainStep} did.
 *
 * @param discriminator the discriminator's step on L_D
 * @param generator the generator's (with ALI, generator and encoder together) step on its cost,
 *     taken against the discriminator just updated
 */
public record HessianFreeSteps(HessianFreeStep discriminator, HessianFreeStep generator) {}
