package store

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/advocacy-portal/portal/internal/account"
)

// usersWhere returns the people cond selects (an SQL condition on the
// users table, with args), in the order order names (e.g. "name, id"),
// each with their roles, read through q: the read pool, or the transaction
// of a change that decides on them.
func usersWhere(ctx context.Context, q rowQuerier, cond, order string, args ...any) ([]account.User, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+userColumns+` FROM users WHERE `+cond+` ORDER BY `+order, args...)
	if err != nil {
		return nil, fmt.Errorf("store: users: %w", err)
	}
	var users []account.User
	for rows.Next() {
		var u account.User
		if err := scanUser(rows, &u); err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: users: %w", err)
		}
		users = append(users, u)
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return nil, fmt.Errorf("store: users: %w", err)
	}
	if len(users) == 0 {
		return users, nil
	}
	ids := make([]any, len(users))
	for i, u := range users {
		ids[i] = u.ID
	}
	rows, err = q.QueryContext(ctx, `SELECT DISTINCT user_id, role FROM user_roles WHERE user_id IN (`+placeholders(len(ids))+`)`, ids...)
	if err != nil {
		return nil, fmt.Errorf("store: roles of users: %w", err)
	}
	roles := map[int64][]account.Role{}
	for rows.Next() {
		var id int64
		var r string
		if err := rows.Scan(&id, &r); err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: roles of users: %w", err)
		}
		roles[id] = append(roles[id], account.Role(r))
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return nil, fmt.Errorf("store: roles of users: %w", err)
	}
	for i := range users {
		users[i].Roles = roles[users[i].ID]
		slices.SortFunc(users[i].Roles, func(a, b account.Role) int {
			return slices.Index(account.Roles, a) - slices.Index(account.Roles, b)
		})
	}
	return users, nil
}

// activeHolders returns the active people holding any of roles, by id.
func activeHolders(ctx context.Context, q rowQuerier, roles []account.Role) ([]account.User, error) {
	if len(roles) == 0 {
		return nil, nil
	}
	args := make([]any, len(roles))
	for i, r := range roles {
		args[i] = string(r)
	}
	return usersWhere(ctx, q, `active = 1 AND id IN (SELECT user_id FROM user_roles WHERE role IN (`+placeholders(len(args))+`))`,
		"id", args...)
}
